package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.StepSynchronizationManager;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.outbox.Notification;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.outbox.NotificationStore.Claimed;
import shop.reconciler.outbox.NotificationStore.Settlement;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.reconcile.OrderRules;

/**
 * The send loop: sends the notifications of one chunk over {@code reconciler.mail.connections}
 * SMTP connections at once, each with its own {@link DeliveryLedger}; the ledgers commit through
 * one database connection and one thread of the chunk's ({@link DeliveryLedger.Commits}), every
 * connection's records of the moment in one transaction.
 *
 * <ol>
 *   <li>The orders' courses are read in bounded batches ({@link CourseQuery}).
 *   <li>Claim the chunk's notifications with one guarded statement, committed at once (still
 *       {@code queued}, no live claim), and read back which ones this sender got, with their
 *       attempts and uncertain deliveries. A notification claimed by another sender is left to it.
 *       Claims older than half of {@code reconciler.mail.claim-timeout} are renewed before the next
 *       send, and claims not used are given back.
 *   <li>Each connection takes the next claimed notification and runs claim, compose, deliver,
 *       record: compose it; wait for its turn under {@code reconciler.mail.max-rate} (one pace
 *       for every connection); make sure its connection is usable (connected, and TLS and AUTH
 *       done); hand its ledger the charge of its attempt, to be committed with the result before it
 *       on this connection, and deliver it ({@link ChunkConnection}) meanwhile: the conversation
 *       (MAIL, RCPT, DATA, the body) runs while that commits, and the end of data waits for the
 *       commit (a claim found gone then drops the connection before the end of data, nothing
 *       delivered). The delivery returns a {@link Delivery}; {@link InRunRetries} decides whether
 *       to try again now (a retry's charge is committed before it begins). When no usable connection can be
 *       made (an outage, a refused certificate, a wrong password), nothing is charged: the
 *       notification and the rest of the queue stay {@code queued} with the reason as their last
 *       error, for the next run, however long the server is away.
 *   <li>Record the result: {@code sent}; {@code failed} with the server's reply for a refusal;
 *       otherwise back to {@code queued} with the error, or {@code failed} once
 *       {@code reconciler.mail.max-attempts} is reached.
 * </ol>
 *
 * <p>A delivery whose outcome is unknown (the end of data went out, no definite reply came back)
 * is recorded as such before anything else is delivered on its connection. A notification may be
 * delivered once more after one such delivery, never after two: then it is {@code failed} for an
 * operator to decide. What is committed when, per connection: a message's result together with
 * the mark that the next one is in flight (its attempt charged), in one transaction, committed
 * before the next one's end of data goes out; the last result when the connection is done. So at
 * most one accepted message per connection is ever unrecorded, and a crash leaves each
 * connection's delivery in flight marked as started, which the next run counts the same way. So no failure of any kind makes a third copy. When a record fails, its connection
 * delivers nothing more, the others stop after their message in flight, and the chunk fails.
 *
 * <p>A stop (SIGTERM, or {@code stop} from any process, read from the job repository at most once a
 * second) ends the chunk between two messages: the rest keep no claim and stay {@code queued}.
 *
 * <p>Claims go over one connection of their own for the chunk, in auto-commit mode: each is a
 * single statement, so each is its own transaction, committed when it returns.
 */
class NotificationSender implements ItemWriter<Notification> {

    private static final Logger log = LoggerFactory.getLogger(NotificationSender.class);

    /** The job repository's record of whether a stop was asked for (by {@code stop}, from any process). */
    static final String JOB_STATUS_SQL = "SELECT STATUS FROM {{batch}}JOB_EXECUTION WHERE JOB_EXECUTION_ID = :id";

    /** How often, at most, a chunk reads {@link #JOB_STATUS_SQL} between two sends. */
    static final Duration STOP_POLL = Duration.ofSeconds(1);

    /** Deliveries of unknown outcome after which a notification is not sent again. */
    static final int MAX_UNCERTAIN = 2;

    static final String TWO_UNKNOWN = "the outcome of two deliveries is unknown (the server may have taken the"
            + " message twice): not sent again; an operator decides whether to queue it once more";

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final NamedParameterJdbcTemplate jdbc;
    private final DataSource dataSource;
    private final MailTransport transport;
    private final EmailComposer composer;
    private final ReconcilerProperties.Mail mail;
    private final InRunRetries retries;
    private final SendPace pace;
    private final SendCircuit circuit;
    private final StepExecution stepExecution;
    private final String claimant;
    private final NotificationStore store;
    private final CourseQuery courseQuery;
    private final SendTimes times;
    private final String jobStatusSql;

    NotificationSender(
            NamedParameterJdbcTemplate jdbc,
            DataSource dataSource,
            MailTransport transport,
            EmailComposer composer,
            ReconcilerProperties properties,
            SendCircuit circuit,
            StepExecution stepExecution,
            String claimant,
            NotificationStore store,
            OrderRules rules) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.transport = transport;
        this.composer = composer;
        this.mail = properties.mail();
        this.retries = new InRunRetries(mail.retries(), mail.retryBackoff());
        this.pace = new SendPace(mail.maxRate(), mail.retryBackoff());
        this.circuit = circuit;
        this.stepExecution = stepExecution;
        this.claimant = claimant;
        this.store = store;
        this.courseQuery = new CourseQuery(jdbc, mail.maxListedCourses(), rules);
        this.times = new SendTimes(stepExecution.getExecutionContext());
        this.jobStatusSql = store.tables().fill(JOB_STATUS_SQL);
    }

    @Override
    public void write(Chunk<? extends Notification> chunk) throws InterruptedException {
        List<? extends Notification> items = chunk.getItems();
        if (items.isEmpty()) {
            return;
        }
        CourseQuery.Batches courses = courseQuery.of(
                items.stream().map(Notification::orderId).distinct().toList());
        Connection ownConnection = borrowAutoCommitting();
        ChunkSend send = null;
        try (DeliveryLedger.Commits commits = DeliveryLedger.open(
                dataSource, store, claimant, stepExecution.getJobExecutionId(), mail.claimTimeout())) {
            SingleConnectionDataSource own = new SingleConnectionDataSource(ownConnection, true);
            send = new ChunkSend(
                    items,
                    courses,
                    store.on(own)
                            .claims(
                                    claimant,
                                    stepExecution.getJobExecutionId(),
                                    mail.claimTimeout().toSeconds()),
                    new NamedParameterJdbcTemplate(own),
                    commits);
            send.run();
        } finally {
            if (send != null) {
                send.tally();
            }
            try {
                ownConnection.close();
            } catch (SQLException e) {
                log.debug("closing the send claims' connection failed: {}", e.getMessage());
            }
        }
    }

    /**
     * A connection of the pool's own, not the chunk transaction's (which {@code DataSourceUtils}
     * would hand out), in auto-commit mode.
     */
    private Connection borrowAutoCommitting() {
        try {
            Connection connection = dataSource.getConnection();
            try {
                if (!connection.getAutoCommit()) {
                    connection.setAutoCommit(true);
                }
                return connection;
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new CannotGetJdbcConnectionException("cannot get a connection for the send claims", e);
        }
    }

    /** A claimed notification handed to one connection. */
    private record Next(Notification notification, Claimed claimed) {}

    /**
     * One chunk's sending: the claims, over the chunk's own connection, and the notifications
     * handed out one at a time to the connections' loops. Counts are summed here, from every
     * connection, and go to the step's execution context once the connections are done.
     */
    private final class ChunkSend {
        private final List<? extends Notification> items;
        private final CourseQuery.Batches courses;
        private final NotificationStore.Claims claims;
        private final NamedParameterJdbcTemplate own;
        private final DeliveryLedger.Commits commits;
        private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
        private final LongAdder smtpNanos = new LongAdder();
        private final LongAdder recordNanos = new LongAdder();

        // guarded by this
        private Map<Long, Claimed> mine = Map.of();
        private final Set<Long> unused = new HashSet<>();
        private int nextIndex;
        private long claimedAt;
        private long stopPolledAt;
        private boolean stopped;
        private RuntimeException failure;

        /** Why the server could not be used in this chunk, or null. */
        private volatile String smtpProblem;

        ChunkSend(
                List<? extends Notification> items,
                CourseQuery.Batches courses,
                NotificationStore.Claims claims,
                NamedParameterJdbcTemplate own,
                DeliveryLedger.Commits commits) {
            this.items = items;
            this.courses = courses;
            this.claims = claims;
            this.own = own;
            this.commits = commits;
        }

        void run() throws InterruptedException {
            mine = claims.claim(ids(items));
            claimedAt = System.nanoTime();
            stopPolledAt = System.nanoTime();
            unused.addAll(mine.keySet());
            try {
                int connections = Math.max(1, Math.min(mail.connections(), mine.size()));
                if (connections == 1) {
                    new ConnectionLoop().run();
                } else {
                    runConcurrently(connections);
                }
            } finally {
                // every connection's last result is committed before the unused claims are given back
                if (smtpProblem != null) {
                    count(SendCounters.NOT_CONNECTED, unusedCount());
                }
                claims.release(unusedSnapshot(), smtpProblem);
            }
            RuntimeException failed = failure();
            if (failed != null) {
                throw failed;
            }
        }

        /**
         * The connections' loops on threads of their own; this thread waits for them. Interrupted,
         * it stops them between two messages, waits until each has recorded its last result, and
         * is interrupted still.
         */
        private void runConcurrently(int connections) throws InterruptedException {
            ExecutorService threads = Executors.newFixedThreadPool(connections, runnable -> {
                Thread t = new Thread(runnable, "send-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            List<Future<?>> loops = new ArrayList<>();
            try {
                for (int c = 0; c < connections; c++) {
                    loops.add(threads.submit(() -> {
                        // the step-scoped beans (the circuit) answer on this thread too
                        StepSynchronizationManager.register(stepExecution);
                        try {
                            new ConnectionLoop().run();
                        } finally {
                            StepSynchronizationManager.release();
                        }
                        return null;
                    }));
                }
                for (Future<?> loop : loops) {
                    try {
                        loop.get();
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof RuntimeException r) {
                            failed(r);
                        } else if (!(e.getCause() instanceof InterruptedException)) {
                            failed(new IllegalStateException(e.getCause()));
                        }
                    }
                }
            } catch (InterruptedException e) {
                synchronized (this) {
                    stopped = true;
                }
                threads.shutdownNow();
                awaitEnd(threads);
                throw e;
            } finally {
                threads.shutdown();
            }
        }

        private void awaitEnd(ExecutorService threads) {
            boolean interrupted = false;
            while (true) {
                try {
                    if (threads.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
                        break;
                    }
                } catch (InterruptedException again) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * The next claimed notification for a connection, or null when the chunk is done, stopped,
         * failed or the circuit is open. Renews the claims when due and reads the job repository
         * for a stop at most once per {@link #STOP_POLL}.
         */
        synchronized Next next() {
            while (!stopped && failure == null && !circuit.isOpen() && nextIndex < items.size()) {
                boolean pollDue = System.nanoTime() - stopPolledAt >= STOP_POLL.toNanos();
                if (pollDue) {
                    stopPolledAt = System.nanoTime();
                }
                if (stopAskedHere() || (pollDue && stopAskedInRepository())) {
                    log.info(
                            "stop requested: the chunk's {} notifications not sent yet stay queued for the restart",
                            items.size() - nextIndex);
                    stopped = true;
                    return null;
                }
                if (System.nanoTime() - claimedAt
                        > mail.claimTimeout().dividedBy(2).toNanos()) {
                    // the rows in flight on other connections are renewed too; settled ones have no claim
                    mine = claims.renew(ids(items));
                    unused.retainAll(mine.keySet());
                    claimedAt = System.nanoTime();
                }
                Notification notification = items.get(nextIndex++);
                Claimed claimed = mine.get(notification.id());
                if (claimed == null) {
                    claimedElsewhere(notification);
                    continue;
                }
                unused.remove(notification.id());
                return new Next(notification, claimed);
            }
            return null;
        }

        /** A claim handed out and not used (nothing delivered): given back with the rest. */
        synchronized void giveBack(Notification notification) {
            unused.add(notification.id());
        }

        synchronized void failed(RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else if (failure != e) {
                failure.addSuppressed(e);
            }
        }

        synchronized RuntimeException failure() {
            return failure;
        }

        synchronized void stop() {
            stopped = true;
        }

        private synchronized int unusedCount() {
            return unused.size();
        }

        private synchronized Set<Long> unusedSnapshot() {
            return new HashSet<>(unused);
        }

        /** The counts and times of this chunk, from every connection, into the step's execution context. */
        void tally() {
            counts.forEach((key, n) -> StepCounters.add(stepExecution.getExecutionContext(), key, n.sum()));
            times.handOver(smtpNanos.sum());
            times.recorded(recordNanos.sum());
            String problem = smtpProblem;
            if (problem != null) {
                stepExecution
                        .getExecutionContext()
                        .putString(SendCounters.SMTP_PROBLEM, EmailComposer.oneLine(problem, 500));
            }
        }

        private void count(String key) {
            count(key, 1);
        }

        private void count(String key, long n) {
            counts.computeIfAbsent(key, k -> new LongAdder()).add(n);
        }

        private void claimedElsewhere(Notification notification) {
            count(SendCounters.CLAIMED_ELSEWHERE);
            log.info("notification for order {} is claimed by another sender; left to it", notification.orderCode());
        }

        /**
         * Whether {@code stop} from any process asked this execution to stop, read from the job
         * repository over the chunk's own connection. The sender stops between two messages, so
         * that a chunk of a slow SMTP server does not hold a stop (or SIGTERM's
         * {@code reconciler.shutdown-timeout}) up.
         */
        private boolean stopAskedInRepository() {
            List<String> status =
                    own.queryForList(jobStatusSql, Map.of("id", stepExecution.getJobExecutionId()), String.class);
            return status.contains("STOPPING") || status.contains("STOPPED");
        }

        /**
         * One SMTP connection's loop: next, compose, deliver, record, until the chunk has nothing
         * more for it. Its {@link DeliveryLedger} commits each result before the next delivery.
         */
        private final class ConnectionLoop {

            void run() throws InterruptedException {
                try (ChunkConnection connection = new ChunkConnection(transport);
                        DeliveryLedger ledger = new DeliveryLedger(commits)) {
                    try {
                        Next next;
                        while ((next = next()) != null) {
                            Delivery delivery;
                            try {
                                delivery = send(next.notification(), next.claimed(), connection, ledger);
                            } catch (RuntimeException e) {
                                // a record failed: a claim whose delivery was not marked started is given back
                                giveBack(next.notification());
                                throw e;
                            }
                            if (delivery != null && delivery.outcome() == Delivery.Outcome.HELD_BACK) {
                                if (Thread.currentThread().isInterrupted()) {
                                    giveBack(next.notification());
                                    stop();
                                    Thread.interrupted();
                                    throw new InterruptedException(delivery.reason());
                                }
                                claimedElsewhere(next.notification());
                            }
                        }
                    } finally {
                        recordNanos.add(ledger.recordNanos());
                    }
                } catch (RuntimeException e) {
                    failed(e);
                    throw e;
                }
            }

            /**
             * Composes and delivers one claimed notification, and leaves its result in the ledger;
             * the final delivery, or null when nothing was delivered (it is settled without a try).
             */
            private Delivery send(
                    Notification notification, Claimed claimed, ChunkConnection connection, DeliveryLedger ledger)
                    throws InterruptedException {
                if (claimed.uncertainDeliveries() >= MAX_UNCERTAIN) {
                    ledger.settleLater(notification, new Settlement(NotificationStatus.FAILED, TWO_UNKNOWN, 0));
                    count(SendCounters.FAILED);
                    log.warn("order {}: not sent: {}", notification.orderCode(), TWO_UNKNOWN);
                    return null;
                }
                MimeMessage message;
                try {
                    message = composer.compose(transport.session(), notification, courses.get(notification.orderId()));
                } catch (MessagingException | RuntimeException e) {
                    String error = "cannot compose the email: " + e.getMessage();
                    ledger.settleLater(notification, new Settlement(NotificationStatus.FAILED, error, 0));
                    count(SendCounters.FAILED);
                    log.warn(
                            "order {}: email not sent, cannot compose it: {}",
                            notification.orderCode(),
                            e.getMessage());
                    return null;
                }
                // only a delivery handed to a server that took the session (and TLS, AUTH) costs an attempt
                Delivery unusable = connection.connect();
                if (unusable != null) {
                    notConnected(notification, unusable, ledger);
                    return unusable;
                }
                // the turn is taken once connected, so that the server sees the pace, not connecting's delays
                try {
                    pace.awaitTurn();
                } catch (InterruptedException e) {
                    // nothing charged yet: the claim is given back and the chunk stops
                    Thread.currentThread().interrupt();
                    return Delivery.heldBack("interrupted while waiting for reconciler.mail.max-rate");
                }
                long smtpStarted = System.nanoTime();
                long recordedBefore = ledger.recordNanos();
                // the charge commits while the conversation runs; the end of data waits for it
                DeliveryLedger.Ticket charged = ledger.chargeAhead(notification, true);
                int uncertain = claimed.uncertainDeliveries();
                Delivery delivery = connection.deliver(message, charged::held);
                // also when the conversation failed before the end of data: the charge's answer first
                if (!charged.held()) {
                    smtpNanos.add(System.nanoTime() - smtpStarted - (ledger.recordNanos() - recordedBefore));
                    return Delivery.heldBack(claimGone(notification));
                }
                int tries = 0;
                while (true) {
                    if (tries > 0) {
                        delivery = connection.deliver(message);
                    }
                    tries++;
                    paced(notification, delivery);
                    if (delivery.uncertain()) {
                        uncertain++;
                        count(SendCounters.UNCERTAIN);
                    }
                    boolean again = (delivery.outcome() == Delivery.Outcome.TRANSIENT || delivery.uncertain())
                            && uncertain < MAX_UNCERTAIN
                            && retries.allowsAnotherAfter(tries);
                    if (!again) {
                        break;
                    }
                    if (delivery.uncertain()) {
                        // durable before the message can go out again
                        ledger.uncertain(notification, delivery.reason());
                    }
                    try {
                        Thread.sleep(retries.pauseAfter(tries).toMillis());
                        pace.awaitTurn();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        if (delivery.uncertain()) {
                            // recorded already: the attempt ends as a transient failure
                            delivery = new Delivery(Delivery.Outcome.TRANSIENT, delivery.reason());
                        }
                        break;
                    }
                    if (!ledger.charge(notification, false)) {
                        delivery = Delivery.heldBack(claimGone(notification));
                        break;
                    }
                }
                smtpNanos.add(System.nanoTime() - smtpStarted - (ledger.recordNanos() - recordedBefore));
                if (delivery.outcome() != Delivery.Outcome.HELD_BACK) {
                    ledger.settleLater(notification, settlement(notification, claimed, delivery, uncertain));
                }
                if (Thread.currentThread().isInterrupted() && delivery.outcome() != Delivery.Outcome.HELD_BACK) {
                    Thread.interrupted();
                    stop();
                    throw new InterruptedException(
                            "interrupted between two tries of order " + notification.orderCode());
                }
                return delivery;
            }
        }

        /**
         * No usable connection before this notification's delivery: it stays {@code queued}, no
         * attempt charged, with the reason; the circuit opens, so the rest of the chunk and of the
         * queue wait for the next run ({@link #run} gives their claims back with the same reason).
         */
        private void notConnected(Notification notification, Delivery unusable, DeliveryLedger ledger) {
            ledger.settleLater(notification, new Settlement(NotificationStatus.QUEUED, unusable.reason(), 0));
            count(SendCounters.NOT_CONNECTED);
            smtpProblem = unusable.reason();
            circuit.open();
            log.warn(
                    "SMTP server {} cannot be used, nothing was sent and no attempt is charged; every queued"
                            + " notification waits for the next run: {}",
                    transport.describe(),
                    unusable.reason());
        }

        /** Tells the pace whether the server throttled; a throttling reply pauses every connection. */
        private void paced(Notification notification, Delivery delivery) {
            if (delivery.throttled()) {
                Duration pause = pace.throttled();
                log.warn(
                        "order {}: the SMTP server throttles ({}): pausing every send for {}",
                        notification.orderCode(),
                        delivery.reason(),
                        pause);
            } else if (delivery.outcome() == Delivery.Outcome.SENT || delivery.outcome() == Delivery.Outcome.REFUSED) {
                pace.notThrottled();
            }
        }

        /** What the final delivery means for the row; counts and logs it. */
        private Settlement settlement(Notification notification, Claimed claimed, Delivery delivery, int uncertain) {
            int attempt = claimed.attempts() + 1;
            int unrecordedUncertain = delivery.uncertain() ? 1 : 0;
            switch (delivery.outcome()) {
                case SENT -> {
                    count(SendCounters.SENT);
                    log.debug("order {}: sent to {}", notification.orderCode(), notification.recipient());
                    return new Settlement(NotificationStatus.SENT, null, 0);
                }
                case REFUSED -> {
                    count(SendCounters.REFUSED);
                    log.warn(
                            "order {}: refused for good by the SMTP server: {}",
                            notification.orderCode(),
                            delivery.reason());
                    return new Settlement(NotificationStatus.FAILED, delivery.reason(), 0);
                }
                default -> {
                    if (uncertain >= MAX_UNCERTAIN) {
                        count(SendCounters.FAILED);
                        log.warn("order {}: {}: {}", notification.orderCode(), TWO_UNKNOWN, delivery.reason());
                        return new Settlement(
                                NotificationStatus.FAILED,
                                bounded(TWO_UNKNOWN + "; last: " + delivery.reason()),
                                unrecordedUncertain);
                    }
                    boolean exhausted = attempt >= mail.maxAttempts();
                    count(exhausted ? SendCounters.FAILED : SendCounters.RETRY_LATER);
                    log.warn(
                            "order {}: not sent ({}), attempt {} of {}{}: {}",
                            notification.orderCode(),
                            delivery.outcome().name().toLowerCase(),
                            attempt,
                            mail.maxAttempts(),
                            exhausted ? ", giving up" : ", will retry in a later run",
                            delivery.reason());
                    if (delivery.outcome() == Delivery.Outcome.UNREACHABLE) {
                        circuit.open();
                        log.warn(
                                "SMTP server {} unreachable: the remaining notifications stay queued for the next run",
                                transport.describe());
                    }
                    return new Settlement(
                            exhausted ? NotificationStatus.FAILED : NotificationStatus.QUEUED,
                            delivery.reason(),
                            unrecordedUncertain);
                }
            }
        }

        private String claimGone(Notification notification) {
            return "the claim on the notification of order " + notification.orderCode() + " is gone";
        }
    }

    /** Whether this process asked this execution to stop (SIGTERM), or Spring Batch saw a stop at the last chunk boundary. */
    private boolean stopAskedHere() {
        return stepExecution.isTerminateOnly()
                || stepExecution.getJobExecution().isStopping();
    }

    private static String bounded(String error) {
        return error.length() <= 1000 ? error : error.substring(0, 1000);
    }

    private static List<Long> ids(List<? extends Notification> notifications) {
        return notifications.stream().map(Notification::id).toList();
    }
}
