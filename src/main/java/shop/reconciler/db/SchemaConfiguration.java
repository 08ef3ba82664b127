package shop.reconciler.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.api.Location;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The database as the rest of the application sees it: its {@link Dialect}, detected once, and
 * the reconciler's own tables from Flyway: {@code db/migration} for what every platform shares,
 * plus {@link Dialect#platformMigrations()} ({@code db/platform/mysql} for MySQL and MariaDB,
 * {@code db/platform/h2} for the demo's H2): Spring Batch's job repository schema, and the
 * character set of the reconciler's tables.
 */
@Configuration(proxyBeanMethods = false)
class SchemaConfiguration {

    @Bean
    Dialect dialect(DataSource dataSource) {
        return Dialect.detectOnFirstUse(dataSource);
    }

    @Bean
    FlywayConfigurationCustomizer platformMigrationLocation(Dialect dialect) {
        return flyway -> {
            List<Location> locations = new ArrayList<>(List.of(flyway.getLocations()));
            locations.add(new Location(dialect.platformMigrations()));
            flyway.locations(locations.toArray(Location[]::new));
        };
    }

    /**
     * The migrations' connections wait {@code reconciler.db.migration-timeout} for the server
     * instead of the statement time-out: a migration may rewrite a large table. The pool puts the
     * usual time-out back when the connection returns to it.
     */
    @Bean
    FlywayConfigurationCustomizer migrationTimeout(DatabaseTimeouts timeouts) {
        int millis = (int) timeouts.migrationTimeout().toMillis();
        return flyway -> {
            DataSource pool = flyway.getDataSource();
            if (pool != null) {
                flyway.dataSource(new DelegatingDataSource(pool) {
                    @Override
                    public Connection getConnection() throws SQLException {
                        return withMigrationTimeout(super.getConnection(), millis);
                    }

                    @Override
                    public Connection getConnection(String username, String password) throws SQLException {
                        return withMigrationTimeout(super.getConnection(username, password), millis);
                    }
                });
            }
        };
    }

    private static Connection withMigrationTimeout(Connection connection, int millis) throws SQLException {
        try {
            connection.setNetworkTimeout(Runnable::run, millis);
        } catch (SQLFeatureNotSupportedException noNetworkTimeouts) {
            // H2 (the demo) has no network to wait for
        }
        return connection;
    }

    /** The template of the job's reader and writer and of the stores: lock conflicts as {@link DatabaseErrors} says. */
    @Bean
    NamedParameterJdbcTemplate namedParameterJdbcTemplate(DataSource dataSource) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.setExceptionTranslator(DatabaseErrors.translator(jdbc.getExceptionTranslator()));
        return new NamedParameterJdbcTemplate(jdbc);
    }
}
