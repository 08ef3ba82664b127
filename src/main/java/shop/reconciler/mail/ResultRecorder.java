package shop.reconciler.mail;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records a chunk's send results on a thread of its own, one statement after the other, so that
 * the next message's SMTP conversation runs while the previous result is being committed.
 *
 * <p>The contract allows one message in the window between the server's acceptance and the
 * database's record of it, and this keeps it to one: each message's delivery (its end of data)
 * waits at {@link #gate()} until every result recorded before it is durable. So, at any moment,
 * at most one accepted message is unrecorded.
 *
 * <ol>
 *   <li>{@link #record} queues a result behind the ones before it. Once one fails, none after it
 *       runs: the chunk stops there, as when results were recorded in line.
 *   <li>{@link #gate()} returns once everything queued so far is recorded, or refuses with the
 *       first failure.
 *   <li>{@link #finish()} waits for the last result, stops the thread, and hands back the first
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

    private CompletableFuture<Void> recorded = CompletableFuture.completedFuture(null);
    private final AtomicLong recordNanos = new AtomicLong();
    private long waitNanos;

    /** Queues one result's statement behind the ones before it; it does not run once one before it failed. */
    void record(Runnable statement) {
        recorded = recorded.thenRunAsync(
                () -> {
                    long started = System.nanoTime();
                    try {
                        statement.run();
                    } finally {
                        recordNanos.addAndGet(System.nanoTime() - started);
                    }
                },
                thread);
    }

    /** The gate for the next delivery: every result queued until now is durable. */
    HandOverGate gate() {
        CompletableFuture<Void> upToNow = recorded;
        return () -> {
            if (upToNow.isDone() && !upToNow.isCompletedExceptionally()) {
                return;
            }
            long started = System.nanoTime();
            try {
                upToNow.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HandOverGate.NotRecorded("interrupted while the previous result was being recorded", e);
            } catch (ExecutionException | CancellationException e) {
                RuntimeException failure = unwrap(e);
                throw new HandOverGate.NotRecorded(
                        "the previous result was not recorded: " + failure.getMessage(), failure);
            } finally {
                waitNanos += System.nanoTime() - started;
            }
        };
    }

    /** Waits until every queued result is recorded; throws the first failure. */
    void awaitRecorded() throws InterruptedException {
        try {
            recorded.get();
        } catch (ExecutionException | CancellationException e) {
            throw unwrap(e);
        }
    }

    /** The first failure among the results queued so far, once they have all run, or null. */
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
     * Waits for the last result (even when interrupted: a result that is being committed must not be
     * abandoned half-way), stops the thread, and returns the first failure, or null.
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
