package shop.reconciler.db;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Every difference between the databases the reconciler runs on, detected once, from the first
 * connection that needs it: MySQL and MariaDB (a shop's database; one SQL for both) and H2 in MySQL mode (the
 * {@code demo} command only). A statement that differs between them takes its differing part from
 * here, as a {@code {{name}}} fragment (see {@link SqlText}); nothing else asks the database what
 * it is.
 *
 * <ol>
 *   <li><b>Exact status comparisons.</b> MySQL and MariaDB compare strings by the column's
 *       collation, usually case-insensitive and blind to trailing spaces, so on a shop whose status
 *       columns are VARCHARs {@code 'COMPLETED '} would pass for {@code 'completed'} and
 *       {@code 'Processing'} for {@code 'processing'}. There a binary comparison is added; the plain
 *       one stays in front of it so that {@code idx_orders_status_id} still serves the range. H2
 *       compares exactly already.
 *   <li><b>Index hints</b> ({@code FORCE INDEX}): MySQL and MariaDB; H2 has none.
 *   <li><b>Shared row locks</b> ({@code LOCK IN SHARE MODE}): MySQL and MariaDB; H2 has none, and
 *       needs none for the demo's private in-memory database ({@link #shareLockClause}), so
 *       the demo runs the production path. ({@code INSERT ... SELECT ... ON DUPLICATE KEY UPDATE}
 *       works in H2's MySQL mode as it is.) Whether such a read also keeps new rows out of what it
 *       read depends on the table and on the transaction's isolation
 *       ({@link #lockingReadsCanLockGaps}, {@link #lockingReadsLockGaps}).
 *   <li><b>The server's clock</b> ({@code UTC_TIMESTAMP(3)}): MySQL and MariaDB; the demo's
 *       in-process H2 shares the JVM's clock.
 *   <li><b>Platform migrations</b> ({@code db/platform/mysql} or {@code db/platform/h2}): Spring
 *       Batch's schema and the character set of the reconciler's own tables.
 *   <li><b>Driver settings</b> for mysql-connector-j, known from the JDBC URL before any connection
 *       exists ({@link #usesMySqlDriver}).
 * </ol>
 */
public final class Dialect {

    /** The database products the reconciler knows. */
    public enum Kind {
        MYSQL,
        MARIADB,
        H2
    }

    private final Supplier<Kind> detection;
    private volatile Kind kind;

    private Dialect(Kind kind, Supplier<Kind> detection) {
        this.kind = kind;
        this.detection = detection;
    }

    public static Dialect of(Kind kind) {
        return new Dialect(kind, () -> kind);
    }

    /**
     * The dialect of the pool's database, asked of one connection when it is first needed (not at
     * start-up: {@code check} must start, and say so, when the database cannot be reached).
     */
    public static Dialect detectOnFirstUse(DataSource dataSource) {
        return new Dialect(null, () -> detect(dataSource));
    }

    private static Kind detect(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return kindOf(connection.getMetaData());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the database: " + e.getMessage(), e);
        }
    }

    /**
     * MariaDB reached through mysql-connector-j calls itself MySQL and says MariaDB in its version
     * ({@code 5.5.5-10.11.6-MariaDB}).
     */
    static Kind kindOf(DatabaseMetaData meta) throws SQLException {
        String product = meta.getDatabaseProductName().toLowerCase(Locale.ROOT);
        String version = String.valueOf(meta.getDatabaseProductVersion()).toLowerCase(Locale.ROOT);
        if (product.contains("h2")) {
            return Kind.H2;
        }
        if (product.contains("mariadb") || version.contains("mariadb")) {
            return Kind.MARIADB;
        }
        if (product.contains("mysql")) {
            return Kind.MYSQL;
        }
        throw new IllegalStateException("unsupported database " + meta.getDatabaseProductName()
                + " (the reconciler runs on MySQL and MariaDB, and on H2 for the demo)");
    }

    /**
     * Whether the pool's driver is mysql-connector-j (or MariaDB's), by the URL alone: the driver
     * settings are made before the pool opens its first connection.
     */
    public static boolean usesMySqlDriver(String jdbcUrl) {
        return jdbcUrl != null && (jdbcUrl.startsWith("jdbc:mysql:") || jdbcUrl.startsWith("jdbc:mariadb:"));
    }

    public Kind kind() {
        Kind known = kind;
        if (known == null) {
            synchronized (this) {
                if (kind == null) {
                    kind = detection.get();
                }
                known = kind;
            }
        }
        return known;
    }

    /** MySQL or MariaDB: the two take the same SQL. */
    public boolean isMySqlFamily() {
        return kind() != Kind.H2;
    }

    /** The Flyway location of the migrations that differ by platform. */
    public String platformMigrations() {
        return "classpath:db/platform/" + (isMySqlFamily() ? "mysql" : "h2");
    }

    /** {@code column} as an operand that compares exactly, byte for byte. */
    public String exact(String column) {
        return isMySqlFamily() ? "BINARY " + column : column;
    }

    /**
     * The condition "{@code column} is exactly {@code literal}" (an SQL literal), still served by an
     * index on the column: the plain comparison first, the exact one beside it.
     */
    public String isExactly(String column, String literal) {
        return isMySqlFamily()
                ? column + " = " + literal + " AND BINARY " + column + " = " + literal
                : column + " = " + literal;
    }

    /**
     * The clause that makes a SELECT take shared row locks: the rows it counted in a transaction
     * stay as counted until the transaction ends. Empty on H2, which refuses a lock in a grouped
     * SELECT and has no shared locks: there it is the {@code demo}'s in-memory database, which
     * nothing outside the demo's JVM can reach, so nobody can change the counted rows anyway and
     * the demo runs the production path as it is.
     */
    public String shareLockClause() {
        return isMySqlFamily() ? "LOCK IN SHARE MODE" : "";
    }

    /**
     * Whether a locking read ({@link #shareLockClause}) of {@code table} by {@code column} keeps
     * others from inserting rows with the values it read until the reading transaction ends, as
     * far as the table goes; {@link #lockingReadsLockGaps} adds the transaction's side. Asked once
     * per step ({@code information_schema} and the driver's index list): the table is InnoDB, whose
     * locking reads lock the index range they scan with its gaps (next-key locks), and an index
     * leads with {@code column}, so that the range scanned is the values read. (Without one the
     * read scans and locks the whole table, which would hold too; not relied on.) False on H2.
     */
    public boolean lockingReadsCanLockGaps(DataSource dataSource, String table, String column) {
        if (!isMySqlFamily()) {
            return false;
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement engine = connection.prepareStatement(
                        "SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
            engine.setString(1, table);
            try (ResultSet rs = engine.executeQuery()) {
                if (!rs.next() || !"InnoDB".equalsIgnoreCase(rs.getString(1))) {
                    return false;
                }
            }
            return ShopIndexes.find(connection.getMetaData(), table, List.of(column))
                    .isPresent();
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Whether a locking read in the current transaction of {@code connection} locks the gaps of
     * what it read, on a table where {@link #lockingReadsCanLockGaps} holds: MySQL and MariaDB do at
     * REPEATABLE READ and SERIALIZABLE (the gap locks that keep phantoms out); at READ COMMITTED and
     * READ UNCOMMITTED they lock the rows found and no gap, so a row inserted since the read still
     * gets in. The session's isolation as the server has it now (not the driver's idea of it, which
     * a {@code SET SESSION} in SQL or {@code useLocalSessionState} can leave behind): the server's
     * default, the pool's {@code transaction-isolation} or the transaction's own, whichever set it
     * last. False on H2, which takes no shared locks, and when the server does not say.
     */
    public boolean lockingReadsLockGaps(Connection connection) {
        if (!isMySqlFamily()) {
            return false;
        }
        // MariaDB names it tx_isolation (transaction_isolation only from 11.1), MySQL 8 transaction_isolation
        String query =
                kind() == Kind.MARIADB ? "SELECT @@SESSION.tx_isolation" : "SELECT @@SESSION.transaction_isolation";
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(query)) {
            String isolation = rs.next() ? rs.getString(1) : null;
            return "REPEATABLE-READ".equalsIgnoreCase(isolation) || "SERIALIZABLE".equalsIgnoreCase(isolation);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * The hint that makes a query use index {@code name} ({@code FORCE INDEX}; a plain name, see
     * {@link ShopIndexes}), or empty where there are no hints (H2). MariaDB 10.11 reads the page
     * of processing orders by {@code ref} on the status alone, from the first processing order on,
     * instead of by range from the last id seen: at a million orders 39 ms per page instead of 2.
     */
    public String forceIndex(Optional<String> name) {
        return isMySqlFamily() && name.isPresent() ? "FORCE INDEX (" + name.get() + ")" : "";
    }

    /** A query for the server's UTC time, or empty where the server shares the JVM's clock. */
    public Optional<String> utcNowQuery() {
        return isMySqlFamily() ? Optional.of("SELECT UTC_TIMESTAMP(3)") : Optional.empty();
    }

    /** The server's clock in UTC as an SQL expression, to the millisecond (H2: the JVM's clock). */
    public String utcNow() {
        return isMySqlFamily()
                ? "UTC_TIMESTAMP(3)"
                : "CAST(FORMATDATETIME(CURRENT_TIMESTAMP, 'yyyy-MM-dd HH:mm:ss.SSS', 'en', 'UTC') AS TIMESTAMP(3))";
    }

    @Override
    public String toString() {
        return kind().name().toLowerCase(Locale.ROOT);
    }
}
