package shop.reconciler.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;

/**
 * The pool's wait for a connection is at most half the statement time-out: the documented rule.
 * An operator's longer value is lowered and said once, at INFO, with the key and both values.
 */
@ExtendWith(OutputCaptureExtension.class)
class MySqlDriverTuningTest {

    private static final String URL = "jdbc:mysql://127.0.0.1:1/shop";

    @Test
    void anOperatorsLongerConnectionTimeoutIsLoweredAndSaidOnce(CapturedOutput output) {
        // given
        MockEnvironment environment = new MockEnvironment()
                .withProperty(MySqlDriverTuning.CONNECTION_TIMEOUT_KEY, "60000")
                .withProperty("reconciler.db.statement-timeout", "40s");
        HikariDataSource pool = pool(60_000);

        // when
        tuned(environment, pool);

        // then
        assertThat(pool.getConnectionTimeout()).isEqualTo(20_000);
        assertThat(output.getAll().lines().filter(l -> l.contains(MySqlDriverTuning.CONNECTION_TIMEOUT_KEY)))
                .singleElement()
                .asString()
                .contains("INFO")
                .contains("spring.datasource.hikari.connection-timeout: 1m lowered to 20s")
                .contains("reconciler.db.statement-timeout, 40s");
    }

    @Test
    void theDefaultAndAShorterValueAreKeptWithoutAWord(CapturedOutput output) {
        // given
        HikariDataSource byDefault = pool(30_000);
        HikariDataSource shorter = pool(5_000);

        // when
        tuned(new MockEnvironment(), byDefault);
        tuned(new MockEnvironment().withProperty(MySqlDriverTuning.CONNECTION_TIMEOUT_KEY, "5000"), shorter);

        // then
        assertThat(byDefault.getConnectionTimeout())
                .describedAs("half of the default statement time-out, a tenth of 10m")
                .isEqualTo(30_000);
        assertThat(shorter.getConnectionTimeout()).isEqualTo(5_000);
        assertThat(output.getAll()).doesNotContain(MySqlDriverTuning.CONNECTION_TIMEOUT_KEY);
    }

    private static HikariDataSource pool(long connectionTimeout) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(URL);
        pool.setConnectionTimeout(connectionTimeout);
        return pool;
    }

    private static void tuned(MockEnvironment environment, HikariDataSource pool) {
        MySqlDriverTuning tuning = new MySqlDriverTuning();
        tuning.setEnvironment(environment);
        tuning.postProcessBeforeInitialization(pool, "dataSource");
    }
}
