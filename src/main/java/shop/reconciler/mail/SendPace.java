package shop.reconciler.mail;

import java.time.Duration;

/**
 * The send loop's pace, shared by every chunk of a send step: at most
 * {@code reconciler.mail.max-rate} messages per second, and a pause of the whole loop after a
 * throttling reply (421, 454, 4.7.x), doubled for each next throttling reply in a row and back to
 * nothing after a message goes through.
 *
 * <p>A hand-over waits until {@link #awaitTurn} lets it go: one message every {@code 1/max-rate}
 * seconds, the first at once, so a run starts with no more than one message's head start and N
 * messages take at least {@code (N-1)/max-rate} seconds. The clock is {@link System#nanoTime}.
 */
final class SendPace {

    /** The longest throttling pause, unless the first one is longer. */
    static final Duration MAX_THROTTLE_PAUSE = Duration.ofMinutes(1);

    private final long intervalNanos;
    private final Duration throttleBackoff;
    private long nextAllowed = Long.MIN_VALUE;
    private int throttledInARow;

    /**
     * @param maxRate messages per second, 0 for no limit
     * @param throttleBackoff the first pause after a throttling reply
     */
    SendPace(double maxRate, Duration throttleBackoff) {
        this.intervalNanos = maxRate <= 0 ? 0 : (long) Math.ceil(1_000_000_000d / maxRate);
        this.throttleBackoff = throttleBackoff;
    }

    /** Waits until the next message may be handed over, and takes its turn. */
    synchronized void awaitTurn() throws InterruptedException {
        long now = System.nanoTime();
        if (nextAllowed != Long.MIN_VALUE && now - nextAllowed < 0) {
            long waitNanos = nextAllowed - now;
            Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            now = System.nanoTime();
        }
        nextAllowed = Math.max(now, nextAllowed == Long.MIN_VALUE ? now : nextAllowed) + intervalNanos;
    }

    /** The server throttled: nothing more is handed over before the pause, which is returned. */
    synchronized Duration throttled() {
        throttledInARow++;
        Duration pause = throttleBackoff.multipliedBy(1L << Math.min(20, throttledInARow - 1));
        Duration cap = throttleBackoff.compareTo(MAX_THROTTLE_PAUSE) > 0 ? throttleBackoff : MAX_THROTTLE_PAUSE;
        if (pause.compareTo(cap) > 0) {
            pause = cap;
        }
        long until = System.nanoTime() + pause.toNanos();
        if (nextAllowed == Long.MIN_VALUE || until - nextAllowed > 0) {
            nextAllowed = until;
        }
        return pause;
    }

    /** The server took or answered a message without throttling: the pause starts small again. */
    synchronized void notThrottled() {
        throttledInARow = 0;
    }
}
