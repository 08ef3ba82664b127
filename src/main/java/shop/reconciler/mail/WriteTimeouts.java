package shop.reconciler.mail;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The write time-out of one SMTP connection ({@code mail.<protocol>.writetimeout}) without a timer
 * task per socket write. Angus Mail wraps the socket of a connection that has a write time-out in
 * its {@code WriteTimeoutSocket}, which schedules a task before every write and cancels it after,
 * on the executor of its documented property {@code mail.<protocol>.executor.writetimeout}, else
 * on a thread it starts for the socket: a thread per connection, and with a
 * {@link java.util.concurrent.ScheduledThreadPoolExecutor} a wake-up of that thread per schedule
 * and per cancel, several per message. This executor answers the same calls so:
 *
 * <ol>
 *   <li>{@link #schedule(Callable, long, TimeUnit)} notes the write's timer (due when the time-out
 *       passes) in a list, and arms a check on the shared clock only when none is armed for that
 *       time or earlier;
 *   <li>a write that returns cancels its timer: it leaves the list, and no thread is woken;
 *   <li>the check runs the timers that are due (Angus Mail's task closes the socket, and the write
 *       fails with "Write timed out") and arms itself again for the earliest timer still pending,
 *       if any. So the clock's thread wakes about once per time-out's length, not per write.
 * </ol>
 *
 * Only scheduling once is supported (what {@code WriteTimeoutSocket} asks for); it does not shut
 * down an executor it did not make, and neither is there anything here to shut down.
 */
final class WriteTimeouts extends AbstractExecutorService implements ScheduledExecutorService {

    private final ScheduledExecutorService clock;

    // guarded by this
    private final List<Timer<?>> pending = new ArrayList<>();
    private ScheduledFuture<?> check;
    private long checkAt;
    private long checks;

    /** @param clock where the checks run: a thread that only runs such short tasks */
    WriteTimeouts(ScheduledExecutorService clock) {
        this.clock = clock;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        long now = System.nanoTime();
        Timer<V> timer = new Timer<>(callable, now + unit.toNanos(delay));
        synchronized (this) {
            pending.add(timer);
            if (check == null || timer.at - checkAt < 0) {
                if (check != null) {
                    check.cancel(false);
                }
                arm(timer.at, now);
            }
        }
        return timer;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return schedule(Executors.callable(command), delay, unit);
    }

    // with this held
    private void arm(long at, long now) {
        checkAt = at;
        long armed = ++checks;
        check = clock.schedule(() -> check(armed), at - now, TimeUnit.NANOSECONDS);
    }

    private void check(long armed) {
        List<Timer<?>> due = new ArrayList<>();
        synchronized (this) {
            if (armed != checks) {
                // replaced by a check for an earlier timer after it had started
                return;
            }
            check = null;
            long now = System.nanoTime();
            Timer<?> earliest = null;
            for (Iterator<Timer<?>> it = pending.iterator(); it.hasNext(); ) {
                Timer<?> timer = it.next();
                if (timer.isDone()) {
                    it.remove();
                } else if (now - timer.at >= 0) {
                    it.remove();
                    due.add(timer);
                } else if (earliest == null || timer.at - earliest.at < 0) {
                    earliest = timer;
                }
            }
            if (earliest != null) {
                arm(earliest.at, now);
            }
        }
        due.forEach(Timer::run);
    }

    private synchronized void cancelled(Timer<?> timer) {
        pending.remove(timer);
    }

    /** A write's timer: run by a check once it is due, unless the write cancelled it first. */
    private final class Timer<V> extends FutureTask<V> implements ScheduledFuture<V> {
        private final long at;

        Timer(Callable<V> task, long at) {
            super(task);
            this.at = at;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(at - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        /** Never interrupts: the task runs on the clock's thread, which other connections share. */
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(false);
            if (cancelled) {
                cancelled(this);
            }
            return cancelled;
        }
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("write time-outs are scheduled once");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("write time-outs are scheduled once");
    }

    @Override
    public void shutdown() {
        // nothing of its own to stop: the checks run on the shared clock
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }
}
