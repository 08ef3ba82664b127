package shop.reconciler.db;

import javax.sql.DataSource;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.api.migration.JavaMigration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.repository.ExecutionContextSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.reconciler.config.ReconcilerProperties;

/**
 * The database as the rest of the application sees it: its {@link Dialect}, detected once, and
 * the reconciler's own tables from Flyway: {@code db/original} (versions 1 to 5) and
 * {@code db/migration} (6 on) for what every platform shares, plus
 * {@link Dialect#platformMigrations()} ({@code db/platform/mysql} for MySQL and MariaDB,
 * {@code db/platform/h2} for the demo's H2): Spring Batch's job repository schema, and the
 * character set of the reconciler's tables. {@link Migrations} says how the table names, the
 * migrations' own timeout and a migration cut off half-way are handled. The job repository's execution contexts are JSON
 * ({@link JsonExecutionContextSerializer}, which Boot's batch configuration picks up).
 */
@Configuration(proxyBeanMethods = false)
class SchemaConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SchemaConfiguration.class);

    @Bean
    Dialect dialect(DataSource dataSource) {
        return Dialect.detectOnFirstUse(dataSource);
    }

    @Bean
    TableNames tableNames(ReconcilerProperties properties, Environment environment) {
        return TableNames.of(properties, environment);
    }

    @Bean
    FlywayConfigurationCustomizer reconcilerMigrations(
            TableNames tables,
            Dialect dialect,
            DataSource dataSource,
            Environment environment,
            ObjectProvider<JavaMigration> javaMigrations) {
        return flyway -> Migrations.configure(
                flyway,
                tables,
                dialect,
                dataSource,
                environment,
                javaMigrations.orderedStream().toList());
    }

    /**
     * Migrates at start-up; a history that records a failed migration refuses the start with one
     * line that names the command that repairs it (Flyway's own message names Flyway's).
     */
    @Bean
    FlywayMigrationStrategy migrateOrNameTheRepair() {
        return flyway -> {
            try {
                flyway.migrate();
            } catch (FlywayValidateException e) {
                String refusal = Migrations.refusal(
                        flyway.info().all(), flyway.getConfiguration().getTable());
                if (refusal == null) {
                    throw e;
                }
                log.debug("migration refused", e);
                throw new Migrations.Refused(refusal);
            }
        };
    }

    @Bean
    ExecutionContextSerializer executionContextSerializer() {
        return new JsonExecutionContextSerializer();
    }

    /** The template of the job's reader and writer and of the stores: lock conflicts as {@link DatabaseErrors} says. */
    @Bean
    NamedParameterJdbcTemplate namedParameterJdbcTemplate(DataSource dataSource) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.setExceptionTranslator(DatabaseErrors.translator(jdbc.getExceptionTranslator()));
        return new NamedParameterJdbcTemplate(jdbc);
    }
}
