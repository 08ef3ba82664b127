package shop.reconciler.db;

import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.api.Location;
import org.springframework.batch.core.repository.ExecutionContextSerializer;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The database as the rest of the application sees it: its {@link Dialect}, detected once, and
 * the reconciler's own tables from Flyway: {@code db/migration} for what every platform shares,
 * plus {@link Dialect#platformMigrations()} ({@code db/platform/mysql} for MySQL and MariaDB,
 * {@code db/platform/h2} for the demo's H2): Spring Batch's job repository schema, and the
 * character set of the reconciler's tables. The job repository's execution contexts are JSON
 * ({@link JsonExecutionContextSerializer}, which Boot's batch configuration picks up).
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

    @Bean
    ExecutionContextSerializer executionContextSerializer() {
        return new JsonExecutionContextSerializer();
    }

    @Bean
    NamedParameterJdbcTemplate namedParameterJdbcTemplate(DataSource dataSource) {
        return new NamedParameterJdbcTemplate(dataSource);
    }
}
