package shop.reconciler.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteTimeoutsTest {

    private final ScheduledThreadPoolExecutor clock = new ScheduledThreadPoolExecutor(1);
    private final WriteTimeouts timeouts = new WriteTimeouts(clock);

    @AfterEach
    void stopClock() {
        clock.shutdownNow();
    }

    @Test
    void aWriteThatReturnsInTimeCostsTheClockNothingAndItsTaskNeverRuns() throws Exception {
        // given
        AtomicInteger ran = new AtomicInteger();

        // when: ten thousand writes, each timer cancelled when its write returned
        for (int i = 0; i < 10_000; i++) {
            ScheduledFuture<String> timer = timeouts.schedule(
                    () -> {
                        ran.incrementAndGet();
                        return "Write timed out";
                    },
                    30_000,
                    TimeUnit.MILLISECONDS);
            assertThat(timer.cancel(true)).isTrue();
        }

        // then: one check waits on the clock, none ran, no task ran
        assertThat(clock.getQueue()).hasSize(1);
        assertThat(clock.getCompletedTaskCount()).isZero();
        assertThat(ran).hasValue(0);
    }

    @Test
    void aWriteThatDoesNotReturnHasItsTaskRunAtTheTimeOut() throws Exception {
        // given: a write whose timer is cancelled, then one that blocks
        timeouts.schedule(() -> "first", 100, TimeUnit.MILLISECONDS).cancel(true);
        long started = System.nanoTime();

        // when
        ScheduledFuture<String> stuck = timeouts.schedule(() -> "Write timed out", 300, TimeUnit.MILLISECONDS);

        // then: its task ran once the time-out passed, and the write's late cancel says so
        assertThat(stuck.get(5, TimeUnit.SECONDS)).isEqualTo("Write timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(stuck.cancel(true)).isFalse();
    }

    @Test
    void aShorterTimeOutThanTheOneWaitedForIsKeptToo() throws Exception {
        // given: a long write in progress
        ScheduledFuture<String> slow = timeouts.schedule(() -> "slow", 60, TimeUnit.SECONDS);

        // when: a write with a short time-out
        ScheduledFuture<String> quick = timeouts.schedule(() -> "quick", 200, TimeUnit.MILLISECONDS);

        // then
        assertThat(quick.get(5, TimeUnit.SECONDS)).isEqualTo("quick");
        assertThat(slow.isDone()).isFalse();
        assertThat(slow.cancel(true)).isTrue();
    }
}
