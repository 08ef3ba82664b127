package shop.reconciler.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static shop.reconciler.config.ReconcilerPropertiesBuilder.properties;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import shop.reconciler.config.ConfigurationErrors;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.config.ReconcilerPropertiesBuilder;

/** {@code reconciler.db.*}: the driver's waits, and the statement time-out's bound by the lease. */
class DatabaseTimeoutsTest {

    @Test
    void statementTimeoutIsATenthOfTheLeaseByDefault() {
        assertThat(properties().build().statementTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(properties().set("lock.at-most-for", "3m").build().statementTimeout())
                .isEqualTo(Duration.ofSeconds(18));
    }

    @Test
    void bindsTheDefaults() {
        ReconcilerProperties.Db db = properties().build().db();

        assertThat(db.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(db.migrationTimeout()).isEqualTo(Duration.ofHours(2));
        assertThat(db.statementTimeout()).isNull();
    }

    @Test
    void statementTimeoutOfMoreThanAQuarterOfTheLeaseIsRefusedNamingTheKey() {
        ReconcilerProperties longLease = properties()
                .set("db.statement-timeout", "3m")
                .set("lock.at-most-for", "20m")
                .build();

        assertThat(longLease.statementTimeout()).isEqualTo(Duration.ofMinutes(3));
        assertThat(refusal(properties().set("db.statement-timeout", "3m")))
                .isEqualTo("reconciler.db.statement-timeout: must be at most a quarter of"
                        + " reconciler.lock.at-most-for (150s), so that a run that meets a hung database ends"
                        + " before its lease lapses, was '3m'");
    }

    @Test
    void formerSocketTimeoutKeyStillSetsTheStatementTimeoutAndIsCheckedAlike() {
        ReconcilerProperties former =
                properties().set("db.socket-timeout", "30s").build();

        assertThat(former.statementTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(refusal(properties().set("db.socket-timeout", "5m")))
                .startsWith("reconciler.db.socket-timeout: must be at most a quarter of reconciler.lock.at-most-for")
                .endsWith(", was '5m'");
    }

    @Test
    void migrationTimeoutMustBePositive() {
        assertThat(refusal(properties().set("db.migration-timeout", "0s")))
                .isEqualTo("reconciler.db.migration-timeout: must be a positive duration of at most 24 days"
                        + " (e.g. 10s, 5m), was '0s'");
    }

    @Test
    void everyWaitMustBePositiveAndFitTheDriversMilliseconds() {
        for (String key :
                List.of("db.connect-timeout", "db.statement-timeout", "db.migration-timeout", "db.socket-timeout")) {
            for (String value : List.of("0s", "-1s", "25d")) {
                assertThat(refusal(properties().set(key, value).set("lock.at-most-for", "1000d")))
                        .describedAs("%s=%s", key, value)
                        .isEqualTo("reconciler." + key + ": must be a positive duration of at most 24 days"
                                + " (e.g. 10s, 5m), was '" + value + "'");
            }
        }
    }

    @Test
    void tablePrefixIsEmptyByDefaultAndPlainWhenSet() {
        assertThat(properties().build().tablePrefix()).isEmpty();
        assertThat(properties().set("table-prefix", "rec_").build().tablePrefix())
                .isEqualTo("rec_");
        for (String bad : List.of("rec-", "a b", "x;drop", "x".repeat(33))) {
            assertThat(refusal(properties().set("table-prefix", bad)))
                    .describedAs(bad)
                    .isEqualTo("reconciler.table-prefix: must be at most 32 letters, digits or '_' (e.g. rec_), was '"
                            + bad + "'");
        }
    }

    private static String refusal(ReconcilerPropertiesBuilder builder) {
        Throwable e = catchThrowable(builder::build);
        assertThat(e).describedAs("refused: %s", builder.keys()).isInstanceOf(BindException.class);
        return ConfigurationErrors.describe(e).orElseThrow();
    }
}
