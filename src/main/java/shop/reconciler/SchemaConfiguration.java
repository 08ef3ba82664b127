package shop.reconciler;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The reconciler's own tables come from Flyway: {@code db/migration} for the outbox and the lease
 * table, plus Spring Batch's job repository schema for the platform at hand ({@code db/batch/h2}
 * for the demo's H2, {@code db/batch/mysql} for MySQL and MariaDB).
 */
@Configuration(proxyBeanMethods = false)
class SchemaConfiguration {

    @Bean
    FlywayConfigurationCustomizer jobRepositorySchemaLocation(DataSource dataSource) {
        return flyway -> {
            String platform = isH2(dataSource) ? "h2" : "mysql";
            var locations = new java.util.ArrayList<>(java.util.List.of(flyway.getLocations()));
            locations.add(new org.flywaydb.core.api.Location("classpath:db/batch/" + platform));
            flyway.locations(locations.toArray(org.flywaydb.core.api.Location[]::new));
        };
    }

    @Bean
    NamedParameterJdbcTemplate namedParameterJdbcTemplate(DataSource dataSource) {
        return new NamedParameterJdbcTemplate(dataSource);
    }

    private static boolean isH2(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return connection
                    .getMetaData()
                    .getDatabaseProductName()
                    .toLowerCase()
                    .contains("h2");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the database: " + e.getMessage(), e);
        }
    }
}
