package shop.reconciler.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The throttle's arithmetic on a clock of its own: five failures within a minute, then a lockout. */
class SignInThrottleTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final SignInThrottle throttle = new SignInThrottle(5, Duration.ofSeconds(30), now::get);

    @Test
    void fiveFailuresWithinAMinuteLockTheAccountAndTheAddressUntilTheLockoutHasPassed() {
        // given: four failures of one account from one address
        for (int i = 0; i < 4; i++) {
            throttle.failed("viewer", "10.0.0.1");
            advance(Duration.ofSeconds(5));
        }
        assertThat(throttle.refusal("viewer", "10.0.0.1")).isEmpty();

        // when: the fifth within the minute
        throttle.failed("viewer", "10.0.0.1");

        // then: the account is refused from anywhere, and anyone from that address
        assertThat(throttle.refusal("viewer", "10.0.0.9")).contains(Duration.ofSeconds(30));
        assertThat(throttle.refusal("operator", "10.0.0.1")).contains(Duration.ofSeconds(30));
        assertThat(throttle.refusal("operator", "10.0.0.9")).isEmpty();
        advance(Duration.ofSeconds(29));
        assertThat(throttle.refusal("viewer", "10.0.0.9")).contains(Duration.ofSeconds(1));
        advance(Duration.ofSeconds(1));
        assertThat(throttle.refusal("viewer", "10.0.0.1")).isEmpty();
    }

    @Test
    void failuresSpreadOverMoreThanAMinuteLockNothingAndASuccessClearsTheCount() {
        for (int i = 0; i < 10; i++) {
            throttle.failed("viewer", "10.0.0.1");
            advance(Duration.ofSeconds(16));
        }
        assertThat(throttle.refusal("viewer", "10.0.0.1")).isEmpty();

        for (int i = 0; i < 4; i++) {
            throttle.failed("operator", "10.0.0.2");
        }
        throttle.succeeded("operator", "10.0.0.2");
        throttle.failed("operator", "10.0.0.2");
        assertThat(throttle.refusal("operator", "10.0.0.2")).isEmpty();
    }

    @Test
    void aNameIsShownEscapedQuotedSafelyAndCut() {
        assertThat(SignInThrottle.shown("eve\u001b[2J\r\n\"x\"")).isEqualTo("eve\\e[2J\\r\\n\\\"x\\\"");
        assertThat(SignInThrottle.shown("a".repeat(500))).hasSize(SignInThrottle.NAME_SHOWN + 1);
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }
}
