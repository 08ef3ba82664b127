package shop.reconciler.db;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.migration.JavaMigration;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import shop.reconciler.config.ReconcilerProperties;

/**
 * How the reconciler's Flyway is configured, the same for start-up's migration, {@code check}
 * and {@code repair}.
 *
 * <ul>
 *   <li>Versions 1 to 5 come from {@code db/original} and {@code db/platform/<platform>} for an
 *       install without prefixes: the scripts every install before 0.7.0 applied, byte for byte,
 *       because Flyway checksums a versioned script's text before it replaces placeholders (a
 *       placeholder in them would fail every existing install's validation). An install with a
 *       prefix ({@link TableNames}) has a history table of its own name, so it always starts empty:
 *       its versions 1 to 5 come from {@code db/prefixed/common} and
 *       {@code db/prefixed/<platform>}, the same scripts with placeholders.
 *   <li>Versions 6 and later live in {@code db/migration} (every platform) and
 *       {@code db/by-platform/<platform>} (what differs: {@code mysql} for MySQL and MariaDB,
 *       {@code h2} for the demo) for both kinds of install, and name every table of the reconciler
 *       with a placeholder: {@code ${table_prefix}order_notifications},
 *       {@code ${batch_prefix}JOB_EXECUTION}.
 *   <li>Migrations run on connections of their own whose socket timeout is
 *       {@code reconciler.db.migration-timeout} ({@link ReconcilerProperties.Db}), not the runs' shorter one: a table
 *       rebuild may take long.
 *   <li>{@link HalfAppliedMigrations} makes a version that was cut off half-way safe to apply again.
 *   <li>Java migrations that packages above this one write (the monitoring views, made from the
 *       rules and the configuration) are passed in as {@link JavaMigration}s, to start-up's Flyway
 *       and to {@code check}'s and {@code repair}'s alike: a Flyway without an applied one would
 *       call it missing.
 * </ul>
 */
public final class Migrations {

    /** The command that clears a failed migration from the history. */
    public static final String REPAIR_COMMAND = "repair";

    private Migrations() {}

    /** {@code flyway} set up for these tables on this database. */
    public static FluentConfiguration configure(
            FluentConfiguration flyway,
            TableNames tables,
            Dialect dialect,
            DataSource dataSource,
            Environment environment,
            List<JavaMigration> javaMigrations) {
        List<Location> locations = new ArrayList<>(List.of(flyway.getLocations()));
        String platform = dialect.isMySqlFamily() ? "mysql" : "h2";
        if (tables.isDefault()) {
            locations.add(new Location("classpath:db/original"));
            locations.add(new Location(dialect.platformMigrations()));
        } else {
            locations.add(new Location("classpath:db/prefixed/common"));
            locations.add(new Location("classpath:db/prefixed/" + platform));
        }
        locations.add(new Location("classpath:db/by-platform/" + platform));
        Map<String, String> placeholders = new HashMap<>(flyway.getPlaceholders());
        placeholders.putAll(tables.placeholders());
        List<org.flywaydb.core.api.callback.Callback> callbacks = new ArrayList<>(List.of(flyway.getCallbacks()));
        callbacks.add(new HalfAppliedMigrations(tables, dialect));
        List<JavaMigration> migrations = new ArrayList<>(List.of(flyway.getJavaMigrations()));
        // Spring Boot's own Flyway already holds the JavaMigration beans: each once
        javaMigrations.stream()
                .filter(m -> migrations.stream().noneMatch(known -> known == m))
                .forEach(migrations::add);
        return flyway.locations(locations.toArray(Location[]::new))
                .javaMigrations(migrations.toArray(JavaMigration[]::new))
                .placeholders(placeholders)
                .table(tables.schemaHistory(flyway.getTable()))
                .callbacks(callbacks.toArray(org.flywaydb.core.api.callback.Callback[]::new))
                .dataSource(migrationDataSource(dataSource, timeout(environment)));
    }

    /**
     * A Flyway of its own, configured as start-up's is (Spring Boot's {@code spring.flyway.table}
     * and {@code locations}, a baseline at 0), for the commands that must not migrate:
     * {@code check} and {@code repair}.
     */
    public static Flyway standalone(
            TableNames tables,
            Dialect dialect,
            DataSource dataSource,
            Environment environment,
            List<JavaMigration> javaMigrations) {
        FluentConfiguration flyway = Flyway.configure()
                .dataSource(dataSource)
                .table(environment.getProperty("spring.flyway.table", "reconciler_schema_history"))
                .locations(environment
                        .getProperty("spring.flyway.locations", "classpath:db/migration")
                        .split("\\s*,\\s*"))
                .baselineOnMigrate(true)
                .baselineVersion("0");
        return configure(flyway, tables, dialect, dataSource, environment, javaMigrations)
                .load();
    }

    /**
     * The tables a version rebuilds by copy (its time grows with their rows), as {@code check}
     * lists them before it runs: V4 converts every table of the reconciler's to utf8mb4.
     */
    public static List<String> rebuiltBy(MigrationInfo migration, TableNames tables, Dialect dialect) {
        if (!dialect.isMySqlFamily()
                || migration.getVersion() == null
                || !migration.getVersion().equals(MigrationVersion.fromVersion("4"))) {
            return List.of();
        }
        return List.of(
                tables.notifications(),
                tables.shedlock(),
                tables.batch("JOB_INSTANCE"),
                tables.batch("JOB_EXECUTION"),
                tables.batch("JOB_EXECUTION_PARAMS"),
                tables.batch("STEP_EXECUTION"),
                tables.batch("STEP_EXECUTION_CONTEXT"),
                tables.batch("JOB_EXECUTION_CONTEXT"),
                tables.batch("STEP_EXECUTION_SEQ"),
                tables.batch("JOB_EXECUTION_SEQ"),
                tables.batch("JOB_INSTANCE_SEQ"));
    }

    /** {@code reconciler.db.migration-timeout}: the longest a migration's statement may take. */
    public static Duration timeout(Environment environment) {
        return Binder.get(environment)
                .bindOrCreate("reconciler.db", ReconcilerProperties.Db.class)
                .migrationTimeout();
    }

    /**
     * The pool's database and settings on connections of their own, with the migrations' socket
     * timeout (unless the URL sets one); other drivers than MySQL's use the pool itself.
     */
    static DataSource migrationDataSource(DataSource dataSource, Duration timeout) {
        if (!(dataSource instanceof HikariDataSource pool)
                || !Dialect.usesMySqlDriver(pool.getJdbcUrl())
                || pool.getJdbcUrl().contains("socketTimeout=")) {
            return dataSource;
        }
        DriverManagerDataSource own = new DriverManagerDataSource(pool.getJdbcUrl());
        Properties properties = new Properties();
        properties.putAll(pool.getDataSourceProperties());
        if (pool.getUsername() != null) {
            properties.setProperty("user", pool.getUsername());
        }
        if (pool.getPassword() != null) {
            properties.setProperty("password", pool.getPassword());
        }
        properties.setProperty("socketTimeout", String.valueOf(timeout.toMillis()));
        own.setConnectionProperties(properties);
        return own;
    }

    /** A start refused over the schema's history; its message is the one line for the operator. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }

        /** A migration that cannot go on; {@code message} says what the operator does about it. */
        public Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A migration as an operator reads it: {@code version 7 (monitoring views)}, or, for a
     * repeatable one, {@code repeatable migration (monitoring views)}.
     */
    public static String name(MigrationInfo migration) {
        return (migration.getVersion() == null ? "repeatable migration" : "version " + migration.getVersion()) + " ("
                + migration.getDescription() + ")";
    }

    /**
     * The one line that refuses a start over a failed migration in the history, naming the
     * command that clears it; {@code null} if none failed.
     */
    public static String refusal(MigrationInfo[] all, String historyTable) {
        List<MigrationInfo> failed =
                Arrays.stream(all).filter(i -> i.getState().isFailed()).toList();
        if (failed.isEmpty()) {
            return null;
        }
        return "the schema history (" + historyTable + ") records a failed migration: "
                + failed.stream().map(Migrations::name).collect(Collectors.joining(", "))
                + "; run '" + REPAIR_COMMAND + "' (same settings) to clear it, then start again: the"
                + " migration is applied again from its start (README, Operations: upgrades)";
    }
}
