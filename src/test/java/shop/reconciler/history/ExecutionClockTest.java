package shop.reconciler.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ExecutionClockTest {

    @Test
    void batchTimesAreWrittenInTheUrlsConnectionTimeZoneOrElseTheJvmsZone() {
        assertThat(ExecutionClock.writtenIn("jdbc:mysql://db/shop?connectionTimeZone=UTC&useSSL=false"))
                .isEqualTo(ZoneOffset.UTC);
        assertThat(ExecutionClock.writtenIn("jdbc:mysql://db/shop?serverTimezone=Europe/Berlin"))
                .isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(ExecutionClock.writtenIn("jdbc:mysql://db/shop?connectionTimeZone=LOCAL"))
                .isEqualTo(ZoneId.systemDefault());
        assertThat(ExecutionClock.writtenIn("jdbc:mysql://db/shop")).isEqualTo(ZoneId.systemDefault());
        assertThat(ExecutionClock.writtenIn(null)).isEqualTo(ZoneId.systemDefault());
    }
}
