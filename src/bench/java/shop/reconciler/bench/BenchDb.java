package shop.reconciler.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.springframework.core.io.ClassPathResource;
import shop.reconciler.db.TableNames;

/** JDBC chores of the benchmark: schema, copies, migrations, statistics, checksums. */
final class BenchDb {

    private BenchDb() {}

    /** A database on the benchmark's server. */
    record Db(String url, String user, String password, String name) {

        Connection open() throws SQLException {
            return DriverManager.getConnection(url, user, password);
        }

        /** The same database with extra JDBC URL parameters ({@code a=1&b=2}). */
        Db withParams(String params) {
            if (params == null || params.isBlank()) {
                return this;
            }
            return new Db(url + (url.contains("?") ? "&" : "?") + params, user, password, name);
        }
    }

    static void execute(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static List<Map<String, Object>> queryRows(Connection c, String sql) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= columns; i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /** The shop tables (orders, download_tasks), from the project's copy of the DDL (both indexes, the FK). */
    static void createShopSchema(Connection c) throws SQLException {
        String ddl;
        try {
            ddl = new ClassPathResource("demo/shop-schema.sql").getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (String statement : ddl.replaceAll("(?m)^--.*$", "").split(";")) {
            if (!statement.isBlank()) {
                execute(c, statement);
            }
        }
    }

    /**
     * Fills the (empty, freshly created) shop tables of {@code target} with the rows of
     * {@code source} on the same server, then creates the reconciler's own tables with its Flyway
     * migrations and refreshes the optimizer's statistics.
     */
    static void copyShop(Db source, Db target) throws SQLException {
        try (Connection c = target.open()) {
            createShopSchema(c);
            execute(c, "SET SESSION foreign_key_checks = 0, unique_checks = 0");
            execute(c, "INSERT INTO orders SELECT * FROM `" + source.name() + "`.orders");
            execute(c, "INSERT INTO download_tasks SELECT * FROM `" + source.name() + "`.download_tasks");
            execute(c, "SET SESSION foreign_key_checks = 1, unique_checks = 1");
        }
        migrate(target);
        analyze(target);
    }

    /** The reconciler's own tables, as the application's Flyway would create them on MySQL/MariaDB. */
    static void migrate(Db db) {
        Flyway.configure()
                .dataSource(db.url(), db.user(), db.password())
                .table("reconciler_schema_history")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .locations(
                        "classpath:db/migration",
                        "classpath:db/by-platform/mysql",
                        "classpath:db/original",
                        "classpath:db/platform/mysql")
                .placeholders(TableNames.DEFAULT.placeholders())
                .load()
                .migrate();
    }

    static void analyze(Db db) throws SQLException {
        try (Connection c = db.open();
                Statement s = c.createStatement()) {
            for (String table : List.of("orders", "download_tasks", "order_notifications")) {
                try (ResultSet rs = s.executeQuery("ANALYZE TABLE " + table)) {
                    while (rs.next()) {
                        // drain
                    }
                }
            }
        }
    }

    /**
     * Lets InnoDB write its dirty pages out before a scenario starts, so that no scenario pays for
     * the flushing of the copy made for it: sets {@code innodb_max_dirty_pages_pct} to 0, waits
     * until at most 1% of the pool is dirty (or {@code maxSeconds}), and restores the setting.
     *
     * @return a line saying what happened, or null when the server does not let us (no privilege)
     */
    static String quiesce(Connection admin, int maxSeconds) {
        try {
            String before = queryString(admin, "SELECT @@GLOBAL.innodb_max_dirty_pages_pct");
            long started = System.nanoTime();
            long dirty;
            long total;
            try {
                execute(admin, "SET GLOBAL innodb_max_dirty_pages_pct = 0");
                do {
                    dirty = status(admin, "Innodb_buffer_pool_pages_dirty");
                    total = Math.max(1, status(admin, "Innodb_buffer_pool_pages_total"));
                    if (dirty * 100 <= total) {
                        break;
                    }
                    Thread.sleep(250);
                } while (System.nanoTime() - started < maxSeconds * 1_000_000_000L);
            } finally {
                execute(admin, "SET GLOBAL innodb_max_dirty_pages_pct = " + before);
            }
            return String.format(
                    "flushed to %d dirty pages of %d in %.1f s", dirty, total, (System.nanoTime() - started) / 1e9);
        } catch (SQLException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static long status(Connection c, String variable) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE '" + variable + "'")) {
            return rs.next() ? rs.getLong(2) : 0;
        }
    }

    /** The set of completed orders with {@code id <= maxId}, as the same checksum as {@link ShopGenerator.IdSet}. */
    static ShopGenerator.IdSet completedSet(Connection c, long maxId) throws SQLException {
        ShopGenerator.IdSet set = new ShopGenerator.IdSet();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*), COALESCE(SUM(id), 0), COALESCE(BIT_XOR(CRC32(id)), 0)"
                        + " FROM orders WHERE order_status = 'completed' AND id <= " + maxId)) {
            rs.next();
            set.count = rs.getLong(1);
            set.sum = rs.getLong(2);
            set.crcXor = rs.getLong(3);
        }
        return set;
    }

    /** The notifications' order ids by status, as checksums. */
    static Map<String, ShopGenerator.IdSet> notificationsByStatus(Connection c) throws SQLException {
        Map<String, ShopGenerator.IdSet> byStatus = new java.util.TreeMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT status, COUNT(*), SUM(order_id), BIT_XOR(CRC32(order_id))"
                        + " FROM order_notifications GROUP BY status")) {
            while (rs.next()) {
                ShopGenerator.IdSet set = new ShopGenerator.IdSet();
                set.count = rs.getLong(2);
                set.sum = rs.getLong(3);
                set.crcXor = rs.getLong(4);
                byStatus.put(rs.getString(1), set);
            }
        }
        return byStatus;
    }
}
