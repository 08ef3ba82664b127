package shop.reconciler.mail;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import shop.reconciler.outbox.Notification;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.outbox.NotificationStore.Settlement;
import shop.reconciler.text.Durations;

/**
 * The ledger of one SMTP connection's deliveries: what is charged, settled and uncertain, and when
 * each is committed. It keeps the at-most-twice promise for its SMTP connection:
 *
 * <ol>
 *   <li>{@link #chargeAhead} hands the chunk's {@link Commits} one transaction's worth for this
 *       connection: the result of the delivery before it ({@link #settleLater}) and the mark that
 *       {@code next} is in flight (its attempt charged). It returns at once, so that the message's
 *       conversation (MAIL, RCPT, DATA, the body) runs while that commits; {@link Ticket#held()},
 *       asked by the transport just before the end of data goes out, waits for the commit and says
 *       whether the claim held. So when a message's end of data goes out, the result of every
 *       message before it on this connection is durable, and so is the mark that this one is in
 *       flight: at most one accepted message per SMTP connection is ever unrecorded, and a crash
 *       leaves it counted as uncertain by the next run. When the claim is gone or the commit
 *       failed, the end of data does not go out.
 *   <li>{@link #charge} does the same and waits for the commit at once (an in-run retry's charge).
 *   <li>{@link #uncertain} commits at once a delivery whose outcome is unknown, before the same
 *       message can go out again.
 *   <li>{@link #close} commits the last result.
 * </ol>
 *
 * The ledgers of a chunk's connections share one database connection and one thread that commits,
 * their {@link Commits} (group commit): what every connection handed over since the last commit
 * (waiting up to {@link Commits#GATHER} for the connections not waiting yet) goes into one
 * transaction, one {@code UPDATE} for all of its settlements of the same kind (the
 * common one: {@code sent}), then one for all of its charges, one commit. While one transaction
 * runs, what arrives queues up for the next. When a transaction fails, or a statement for several
 * rows touches fewer than all of them (a claim gone, and which one is not known), it is rolled back
 * and each connection's part is committed in a transaction of its own, so each gets its own answer.
 *
 * <p>When a connection's part fails, it is rolled back and its ledger refuses everything after:
 * the caller delivers nothing more and the chunk fails.
 */
final class DeliveryLedger implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryLedger.class);

    private final Commits commits;
    private Pending pending;
    private RuntimeException broken;
    private long recordNanos;

    /** A result decided and not yet recorded: it is committed with the next delivery's charge. */
    private record Pending(Notification notification, Settlement settlement) {}

    /** A ledger whose records go through {@code commits}, the chunk's. */
    DeliveryLedger(Commits commits) {
        this.commits = commits;
        commits.join();
    }

    /**
     * The chunk's commits, on a connection of the pool's own (not a chunk transaction's), for the
     * sender {@code claimant}.
     */
    static Commits open(
            DataSource dataSource,
            NotificationStore store,
            String claimant,
            long executionId,
            java.time.Duration claimTimeout) {
        Connection connection;
        try {
            connection = dataSource.getConnection();
            try {
                connection.setAutoCommit(false);
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new CannotGetJdbcConnectionException("cannot get a connection for the send results", e);
        }
        NotificationStore.Claims claims = store.on(new SingleConnectionDataSource(connection, true))
                .claims(claimant, executionId, claimTimeout.toSeconds());
        return new Commits(connection, claims, Durations.format(claimTimeout));
    }

    /**
     * Commits the result left by {@link #settleLater}, if any, and marks {@code next}'s delivery
     * as in flight, charging its attempt unless it is an in-run retry's; whether the claim on
     * {@code next} still holds (when it does not, nothing may be delivered).
     */
    boolean charge(Notification next, boolean newAttempt) {
        return chargeAhead(next, newAttempt).held();
    }

    /**
     * Hands the result left by {@link #settleLater}, if any, and the mark that {@code next}'s
     * delivery is in flight (its attempt charged unless it is an in-run retry's) to the commits,
     * and returns before they are committed; {@link Ticket#held()} waits for them.
     */
    Ticket chargeAhead(Notification next, boolean newAttempt) {
        if (broken != null) {
            throw broken;
        }
        Request request = new Request(takePending(), next, newAttempt, null);
        commits.submit(request);
        return new Ticket(request);
    }

    /** A charge handed to the commits: whether it committed with its claim held. */
    final class Ticket {
        private final Request request;

        private Ticket(Request request) {
            this.request = request;
        }

        /**
         * Waits until the charge (and the result before it) is committed; whether the claim held.
         *
         * @throws RuntimeException when it could not be recorded (the ledger refuses everything after)
         */
        boolean held() {
            return awaited(request);
        }
    }

    /** Leaves a result to be committed with the next charge; one already left is committed first. */
    void settleLater(Notification notification, Settlement settlement) {
        if (pending != null) {
            flush();
        }
        pending = new Pending(notification, settlement);
    }

    /** Commits a delivery of unknown outcome (and the result left before it, if any), before a retry. */
    void uncertain(Notification notification, String reason) {
        record(new Request(takePending(), notification, false, reason));
    }

    /** Commits the result left by {@link #settleLater}, if any. */
    void flush() {
        if (pending != null) {
            record(new Request(takePending(), null, false, null));
        }
    }

    /** Time this connection spent waiting for its records to commit, in nanoseconds. */
    long recordNanos() {
        return recordNanos;
    }

    /** Commits the last result, unless a record failed before. */
    @Override
    public void close() {
        try {
            if (broken == null) {
                flush();
            }
        } finally {
            commits.leave();
        }
    }

    private Pending takePending() {
        Pending settled = pending;
        pending = null;
        return settled;
    }

    private boolean record(Request request) {
        if (broken != null) {
            throw broken;
        }
        try {
            commits.submit(request);
        } catch (RuntimeException e) {
            broken = e;
            throw e;
        }
        return awaited(request);
    }

    /**
     * Waits until {@code request} is committed, counted in {@link #recordNanos}; whether its claim
     * held. A failure breaks the ledger: it refuses everything after.
     */
    private boolean awaited(Request request) {
        long started = System.nanoTime();
        try {
            return commits.await(request);
        } catch (RuntimeException e) {
            broken = e;
            throw e;
        } finally {
            recordNanos += System.nanoTime() - started;
        }
    }

    /**
     * What one connection commits at once: a settlement (or none), then a charge of {@code next}
     * (or, when {@code uncertain} is set, its delivery of unknown outcome).
     */
    private static final class Request {
        final Pending settle;
        final Notification next;
        final boolean newAttempt;
        final String uncertain;

        // written by the thread that commits it, before done counts down
        private boolean held;
        private RuntimeException failure;
        private final CountDownLatch done = new CountDownLatch(1);

        Request(Pending settle, Notification next, boolean newAttempt, String uncertain) {
            this.settle = settle;
            this.next = next;
            this.newAttempt = newAttempt;
            this.uncertain = uncertain;
        }

        boolean charges() {
            return next != null && uncertain == null;
        }

        void answer(boolean claimHeld) {
            held = claimHeld;
            done.countDown();
        }

        void fail(RuntimeException e) {
            failure = e;
            done.countDown();
        }

        boolean isDone() {
            return done.getCount() == 0;
        }

        boolean outcome() {
            if (failure != null) {
                throw failure;
            }
            return held;
        }
    }

    /**
     * The records of a chunk's ledgers, on one database connection and one thread of their own:
     * each time it is free, the thread commits everything the ledgers handed over meanwhile, once
     * every open ledger has handed something over or {@link #GATHER} has passed.
     */
    static final class Commits implements AutoCloseable {
        private static final AtomicInteger THREADS = new AtomicInteger();

        /**
         * How long a commit waits, at most, for the chunk's other connections to hand theirs over:
         * each is at most a reply and a composing away when it is not waiting already, and a
         * transaction (a commit's fsync, mostly) for all of them costs the database about what
         * one costs.
         */
        static final Duration GATHER = Duration.ofMillis(1);

        private final Connection connection;
        private final NotificationStore.Claims claims;
        private final String claimTimeout;
        private final Thread writer;

        // guarded by this
        private final List<Request> queue = new ArrayList<>();
        private boolean closed;
        private int ledgers;

        private Commits(Connection connection, NotificationStore.Claims claims, String claimTimeout) {
            this.connection = connection;
            this.claims = claims;
            this.claimTimeout = claimTimeout;
            this.writer = new Thread(this::writeLoop, "send-record-" + THREADS.incrementAndGet());
            writer.setDaemon(true);
            writer.start();
        }

        private void waitUninterruptibly(long millis) {
            try {
                wait(millis);
            } catch (InterruptedException e) {
                // nobody interrupts this thread; it ends when closed
            }
        }

        /** Queues {@code request} for the next commit. */
        synchronized void submit(Request request) {
            if (closed) {
                throw new IllegalStateException("the send results' connection is closed");
            }
            queue.add(request);
            // only the writer waits on this monitor
            notify();
        }

        /**
         * Waits until {@code request} is committed (or failed); whether its charge's claim held.
         * An interrupt does not end the wait (the request may be committed already: its answer is
         * needed), and is kept.
         */
        boolean await(Request request) {
            boolean interrupted = false;
            while (!request.isDone()) {
                try {
                    request.done.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return request.outcome();
        }

        synchronized void join() {
            ledgers++;
        }

        synchronized void leave() {
            ledgers--;
            notify();
        }

        private void writeLoop() {
            while (true) {
                List<Request> batch;
                synchronized (this) {
                    while (queue.isEmpty() && !closed) {
                        waitUninterruptibly(0);
                    }
                    if (queue.isEmpty()) {
                        return;
                    }
                    // the others are about to hand theirs over: one transaction for all, not one each
                    long gatherUntil = System.nanoTime() + GATHER.toNanos();
                    while (!closed && queue.size() < ledgers && System.nanoTime() - gatherUntil < 0) {
                        waitUninterruptibly(1);
                    }
                    batch = new ArrayList<>(queue);
                    queue.clear();
                }
                try {
                    write(batch);
                } catch (RuntimeException | Error e) {
                    log.error("recording send results failed: {}", e.toString());
                } finally {
                    for (Request r : batch) {
                        if (!r.isDone()) {
                            r.fail(new IllegalStateException("a send result was not recorded"));
                        }
                    }
                }
            }
        }

        private void write(List<Request> batch) {
            if (batch.size() == 1) {
                alone(batch.get(0));
                return;
            }
            List<String> expired = new ArrayList<>();
            boolean together;
            try {
                together = together(batch, expired);
            } catch (RuntimeException e) {
                rollback(e);
                together = false;
            }
            if (together) {
                expired.forEach(DeliveryLedger::warnExpired);
                return;
            }
            for (Request request : batch) {
                alone(request);
            }
        }

        /**
         * The batch in one transaction, one statement per kind of settlement and of charge;
         * false (rolled back, nothing answered) when a statement for several rows touched fewer.
         */
        private boolean together(List<Request> batch, List<String> expired) {
            Map<Settlement, List<Request>> settlements = new LinkedHashMap<>();
            Map<Boolean, List<Request>> charges = new LinkedHashMap<>();
            for (Request r : batch) {
                if (r.settle != null) {
                    settlements
                            .computeIfAbsent(r.settle.settlement(), k -> new ArrayList<>())
                            .add(r);
                }
                if (r.charges()) {
                    charges.computeIfAbsent(r.newAttempt, k -> new ArrayList<>())
                            .add(r);
                }
            }
            for (Map.Entry<Settlement, List<Request>> kind : settlements.entrySet()) {
                List<Request> rows = kind.getValue();
                int settled = claims.settle(
                        rows.stream().map(r -> r.settle.notification().id()).toList(), kind.getKey());
                if (settled < rows.size()) {
                    if (rows.size() > 1) {
                        rollback();
                        return false;
                    }
                    expired.add(describeExpired(rows.get(0).settle));
                }
            }
            for (Request r : batch) {
                if (r.next != null && r.uncertain != null) {
                    claims.uncertain(r.next.id(), r.uncertain);
                }
            }
            Map<Request, Boolean> held = new LinkedHashMap<>();
            for (Map.Entry<Boolean, List<Request>> kind : charges.entrySet()) {
                List<Request> rows = kind.getValue();
                int charged = claims.charge(rows.stream().map(r -> r.next.id()).toList(), kind.getKey());
                if (charged < rows.size() && rows.size() > 1) {
                    rollback();
                    return false;
                }
                rows.forEach(r -> held.put(r, charged == rows.size()));
            }
            commit();
            for (Request r : batch) {
                r.answer(held.getOrDefault(r, true));
            }
            return true;
        }

        /** One connection's record in a transaction of its own. */
        private void alone(Request request) {
            try {
                if (request.settle != null
                        && !claims.settle(request.settle.notification().id(), request.settle.settlement())) {
                    warnExpired(describeExpired(request.settle));
                }
                boolean held = true;
                if (request.next != null) {
                    if (request.uncertain != null) {
                        claims.uncertain(request.next.id(), request.uncertain);
                    } else {
                        held = claims.charge(request.next.id(), request.newAttempt);
                    }
                }
                commit();
                request.answer(held);
            } catch (RuntimeException e) {
                rollback(e);
                request.fail(e);
            }
        }

        private String describeExpired(Pending settled) {
            return "order " + settled.notification().orderCode() + ": "
                    + settled.settlement().status().code()
                    + ", but its claim had expired meanwhile (reconciler.mail.claim-timeout " + claimTimeout + ")";
        }

        private void commit() {
            try {
                connection.commit();
            } catch (SQLException e) {
                throw new UncategorizedSQLException("committing a send result", null, e);
            }
        }

        private void rollback() {
            try {
                connection.rollback();
            } catch (SQLException e) {
                throw new UncategorizedSQLException("rolling back send results", null, e);
            }
        }

        private void rollback(RuntimeException cause) {
            try {
                connection.rollback();
            } catch (SQLException e) {
                cause.addSuppressed(e);
            }
        }

        /** Commits what is queued, ends the thread and gives the connection back; every ledger on it is closed before. */
        @Override
        public void close() {
            synchronized (this) {
                closed = true;
                notifyAll();
            }
            boolean interrupted = false;
            while (writer.isAlive()) {
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            try {
                connection.setAutoCommit(true);
            } catch (SQLException e) {
                log.debug("resetting the send results' connection failed: {}", e.getMessage());
            }
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the send results' connection failed: {}", e.getMessage());
            }
        }
    }

    private static void warnExpired(String what) {
        log.warn("{}", what);
    }
}
