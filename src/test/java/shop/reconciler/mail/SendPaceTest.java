package shop.reconciler.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SendPaceTest {

    @Test
    void throttlingRepliesAre421And454AndA4xxWithAnEnhancedCode47() {
        assertThat(SendFailure.throttling(421, "421 4.3.2 service shutting down"))
                .isTrue();
        assertThat(SendFailure.throttling(454, "454 TLS not available")).isTrue();
        assertThat(SendFailure.throttling(451, "451 4.7.1 please slow down")).isTrue();
        assertThat(SendFailure.throttling(450, "450-4.7.28 too many messages\r\n450 4.7.28 wait"))
                .isTrue();
        assertThat(SendFailure.throttling(451, "451 4.3.0 try again later")).isFalse();
        assertThat(SendFailure.throttling(452, "452 4.2.2 mailbox full")).isFalse();
        assertThat(SendFailure.throttling(451, null)).isFalse();
    }

    @Test
    void nMessagesAtRateRTakeAtLeastNMinusOneOverRSecondsAndTheFirstGoesAtOnce() throws Exception {
        SendPace pace = new SendPace(20, Duration.ofMillis(10));
        long start = System.nanoTime();
        pace.awaitTurn();
        long firstMillis = (System.nanoTime() - start) / 1_000_000;
        for (int i = 1; i < 10; i++) {
            pace.awaitTurn();
        }
        long totalMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(firstMillis).isLessThan(40);
        assertThat(totalMillis).isGreaterThanOrEqualTo(9 * 1000 / 20);
    }

    @Test
    void aThrottlingReplyPausesTheNextTurnByAGrowingPauseUntilAMessageGoesThrough() throws Exception {
        SendPace pace = new SendPace(0, Duration.ofMillis(100));

        assertThat(pace.throttled()).isEqualTo(Duration.ofMillis(100));
        assertThat(pace.throttled()).isEqualTo(Duration.ofMillis(200));
        long start = System.nanoTime();
        pace.awaitTurn();
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(190);
        pace.notThrottled();
        assertThat(pace.throttled()).isEqualTo(Duration.ofMillis(100));
        for (int i = 0; i < 30; i++) {
            pace.throttled();
        }
        assertThat(pace.throttled()).isEqualTo(SendPace.MAX_THROTTLE_PAUSE);
    }
}
