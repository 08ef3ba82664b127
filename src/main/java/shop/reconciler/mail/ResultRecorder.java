package shop.reconciler.mail;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Records a chunk's send results on a thread of its own, one statement after the other, so that
 * the next message's SMTP conversation runs while the previous result is being committed.
 *
 * <p>At most one message may be in the window between the server's acceptance and the
 * database's record of it, and this keeps it to one: each message's delivery (its end of data)
 * waits at {@link #gate()} until every statement queued before it is durable, the one that
 * charged its attempt included. So, at any moment, at most one delivery is unrecorded.
 *
 * <ol>
 *   <li>{@link #record} queues a statement behind the ones before it; {@link #recordGating} one
 *       that answers whether the next delivery may go (null) or why not (its claim is gone). Once one fails, none after it runs:
 *       the chunk stops there.
 *   <li>{@link #gate()} waits for everything queued so far and passes on the last statement's
 *       answer, or the first failure.
 *   <li>{@link #finish()} waits for the last statement, stops the thread, and hands back the first
 *       failure.
 * </ol>
 *
 * Used by one sending thread; the statements run on the recorder's thread, never two at once, so
 * they can share the chunk's one auto-committing connection with the sender's own statements, as
 * long as the sender calls {@link #awaitRecorded()} before it uses that connection itself.
 */
final class ResultRecorder implements AutoCloseable {

    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread t = new Thread(runnable, "send-record");
        t.setDaemon(true);
        return t;
    });

    private CompletableFuture<String> recorded = CompletableFuture.completedFuture(null);
    private final AtomicLong recordNanos = new AtomicLong();
    private long waitNanos;

    /** Queues a statement that answers nothing about the next delivery. */
    void record(Runnable statement) {
        recordGating(() -> {
            statement.run();
            return null;
        });
    }

    /**
     * Queues one statement behind the ones before it; it does not run once one before it failed.
     *
     * @param statement returns null when the next delivery may go, else why not
     */
    void recordGating(Supplier<String> statement) {
        recorded = recorded.thenApplyAsync(
                before -> {
                    long started = System.nanoTime();
                    try {
                        return statement.get();
                    } finally {
                        recordNanos.addAndGet(System.nanoTime() - started);
                    }
                },
                thread);
    }

    /** The gate for the next delivery: every statement queued until now is durable, and the last one lets it go. */
    HandOverGate gate() {
        CompletableFuture<String> upToNow = recorded;
        return () -> {
            if (upToNow.isDone() && !upToNow.isCompletedExceptionally()) {
                return upToNow.join();
            }
            long started = System.nanoTime();
            try {
                return upToNow.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while the previous result was being recorded";
            } catch (ExecutionException | CancellationException e) {
                return "the previous result was not recorded: " + unwrap(e).getMessage();
            } finally {
                waitNanos += System.nanoTime() - started;
            }
        };
    }

    /** Waits until every queued statement is recorded; throws the first failure. */
    void awaitRecorded() throws InterruptedException {
        try {
            recorded.get();
        } catch (ExecutionException | CancellationException e) {
            throw unwrap(e);
        }
    }

    /** The first failure among the statements queued so far, once they have all run, or null. */
    RuntimeException failure() {
        if (!recorded.isCompletedExceptionally()) {
            return null;
        }
        try {
            recorded.join();
            return null;
        } catch (CompletionException | CancellationException e) {
            return unwrap(e);
        }
    }

    /**
     * Waits for the last statement (even when interrupted: a result that is being committed must
     * not be abandoned half-way), stops the thread, and returns the first failure, or null.
     */
    RuntimeException finish() {
        boolean interrupted = false;
        while (true) {
            try {
                recorded.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | CancellationException e) {
                break;
            }
        }
        thread.shutdown();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return failure();
    }

    /** Time spent running the statements, in nanoseconds. */
    long recordNanos() {
        return recordNanos.get();
    }

    /** Time the sender spent waiting at the gate, in nanoseconds. */
    long waitNanos() {
        return waitNanos;
    }

    @Override
    public void close() {
        finish();
    }

    private static RuntimeException unwrap(Exception e) {
        Throwable cause = e;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(cause.getMessage(), cause);
    }
}
