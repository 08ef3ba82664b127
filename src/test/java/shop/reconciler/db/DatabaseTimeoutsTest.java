package shop.reconciler.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import shop.reconciler.config.InvalidConfigurationException;

class DatabaseTimeoutsTest {

    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    @Test
    void statementTimeoutIsATenthOfTheLeaseByDefault() {
        DatabaseTimeouts timeouts = new DatabaseTimeouts(Duration.ofSeconds(10), null, Duration.ofHours(2), null);

        assertThat(timeouts.statementTimeout(TEN_MINUTES)).isEqualTo(Duration.ofMinutes(1));
        assertThat(timeouts.statementTimeout(Duration.ofMinutes(3))).isEqualTo(Duration.ofSeconds(18));
    }

    @Test
    void statementTimeoutOfMoreThanAQuarterOfTheLeaseIsRefusedNamingTheKey() {
        DatabaseTimeouts timeouts =
                new DatabaseTimeouts(Duration.ofSeconds(10), Duration.ofMinutes(3), Duration.ofHours(2), null);

        assertThat(timeouts.statementTimeout(Duration.ofMinutes(20))).isEqualTo(Duration.ofMinutes(3));
        assertThatThrownBy(() -> timeouts.statementTimeout(TEN_MINUTES))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("reconciler.db.statement-timeout: must be at most a quarter of"
                        + " reconciler.lock.at-most-for");
    }

    @Test
    void formerSocketTimeoutKeyStillSetsTheStatementTimeoutAndIsCheckedAlike() {
        DatabaseTimeouts former =
                new DatabaseTimeouts(Duration.ofSeconds(10), null, Duration.ofHours(2), Duration.ofSeconds(30));
        DatabaseTimeouts tooLong =
                new DatabaseTimeouts(Duration.ofSeconds(10), null, Duration.ofHours(2), Duration.ofMinutes(5));

        assertThat(former.statementTimeout(TEN_MINUTES)).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> tooLong.statementTimeout(TEN_MINUTES))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("reconciler.db.socket-timeout:");
    }

    @Test
    void migrationTimeoutMustBePositive() {
        assertThatThrownBy(() -> new DatabaseTimeouts(Duration.ofSeconds(10), null, Duration.ZERO, null))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("reconciler.db.migration-timeout:");
    }
}
