package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import shop.reconciler.ReconcilerProperties;
import shop.reconciler.outbox.Notification;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.outbox.NotificationStore.Claimed;
import shop.reconciler.outbox.NotificationStore.Settlement;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.text.Durations;

/**
 * The send loop: sends the notifications of one chunk, one SMTP connection for the chunk.
 *
 * <ol>
 *   <li>The orders' courses are read in bounded batches ({@link CourseQuery}).
 *   <li>Claim the chunk's notifications with one guarded statement, committed at once (still
 *       {@code queued}, no live claim), and read back which ones this sender got, with their
 *       attempts and uncertain deliveries. A notification claimed by another sender is left to it.
 *       Claims older than half of {@code reconciler.mail.claim-timeout} are renewed before the next
 *       send, and claims not used are given back.
 *   <li>For each: compose it, make sure the chunk's connection is usable (connected, and TLS and
 *       AUTH done), and only then charge its attempt right before its delivery is tried (in the
 *       statement that records the result before it). Deliver it ({@link ChunkConnection}), which
 *       returns a {@link Delivery}; {@link InRunRetries} decides whether to try again now. When no
 *       usable connection can be made (an outage, a refused certificate, a wrong password), nothing
 *       is charged: the notification and the rest of the queue stay {@code queued} with the reason
 *       as their last error, for the next run, however long the server is away.
 *   <li>Record the result: {@code sent}; {@code failed} with the server's reply for a refusal;
 *       otherwise back to {@code queued} with the error, or {@code failed} once
 *       {@code reconciler.mail.max-attempts} is reached.
 * </ol>
 *
 * <p>A delivery whose outcome is unknown (the end of data went out, no definite reply came back)
 * is recorded as such before anything else is delivered. A notification may be delivered once
 * more after one such delivery, never after two: then it is {@code failed} for an operator to
 * decide. A crash leaves the delivery in flight marked as started, and the next run counts it the
 * same way. So no failure of any kind makes a third copy.
 *
 * <p>Recording runs on a {@link ResultRecorder}'s thread while the next message's SMTP conversation
 * (envelope, {@code DATA}, content) goes out; only that message's end of data, the point where the
 * server takes it, waits until the record (and its own charged attempt) is committed
 * ({@link GatedSmtpTransport}). So at most one delivery is ever unrecorded. When a record fails,
 * the next message is abandoned before its end of data, nothing more is sent, and the chunk fails.
 *
 * <p>A stop (SIGTERM, or {@code stop} from any process, read from the job repository at most once a
 * second) ends the chunk between two messages: the rest keep no claim and stay {@code queued}.
 *
 * <p>Claims and records go over one connection of their own for the chunk, in auto-commit mode:
 * each is a single statement, so each is its own transaction, committed when it returns.
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
            NotificationStore store) {
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
        this.courseQuery = new CourseQuery(jdbc, mail.maxListedCourses());
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
        try {
            SingleConnectionDataSource own = new SingleConnectionDataSource(ownConnection, true);
            new ChunkSend(
                            store.on(own)
                                    .claims(
                                            claimant,
                                            stepExecution.getJobExecutionId(),
                                            mail.claimTimeout().toSeconds()),
                            new NamedParameterJdbcTemplate(own))
                    .run(items, courses);
        } finally {
            try {
                ownConnection.close();
            } catch (SQLException e) {
                log.debug("closing the send results' connection failed: {}", e.getMessage());
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
            throw new CannotGetJdbcConnectionException("cannot get a connection for the send results", e);
        }
    }

    /** A result decided and not yet recorded: it goes into the statement that charges the next delivery. */
    private record Pending(Notification notification, Settlement settlement) {}

    /** One chunk's sending, over the chunk's own connection. */
    private final class ChunkSend {
        private final NotificationStore.Claims claims;
        private final NamedParameterJdbcTemplate own;
        private final ResultRecorder recorder = new ResultRecorder();
        private Pending pending;

        /** Why the server could not be used in this chunk, or null. */
        private String smtpProblem;

        ChunkSend(NotificationStore.Claims claims, NamedParameterJdbcTemplate own) {
            this.claims = claims;
            this.own = own;
        }

        void run(List<? extends Notification> items, CourseQuery.Batches courses) throws InterruptedException {
            Map<Long, Claimed> mine = claims.claim(ids(items));
            long claimedAt = System.nanoTime();
            Set<Long> unused = new HashSet<>(mine.keySet());
            boolean completed = false;
            long stopPolledAt = System.nanoTime();
            try (ChunkConnection connection = new ChunkConnection(transport)) {
                for (int i = 0; i < items.size() && !circuit.isOpen(); i++) {
                    Notification notification = items.get(i);
                    boolean pollDue = System.nanoTime() - stopPolledAt >= STOP_POLL.toNanos();
                    if (pollDue) {
                        stopPolledAt = System.nanoTime();
                    }
                    if (stopAskedHere() || (pollDue && stopAskedInRepository())) {
                        log.info(
                                "stop requested: the chunk's {} notifications not sent yet stay queued for the restart",
                                items.size() - i);
                        break;
                    }
                    if (System.nanoTime() - claimedAt
                            > mail.claimTimeout().dividedBy(2).toNanos()) {
                        recorder.awaitRecorded();
                        mine = claims.renew(ids(items.subList(i, items.size())));
                        unused.retainAll(mine.keySet());
                        claimedAt = System.nanoTime();
                    }
                    Claimed claimed = mine.get(notification.id());
                    if (claimed == null) {
                        claimedElsewhere(notification);
                        continue;
                    }
                    unused.remove(notification.id());
                    Delivery delivery = send(notification, claimed, courses, connection);
                    if (delivery != null && delivery.outcome() == Delivery.Outcome.HELD_BACK) {
                        RuntimeException unrecorded = recorder.failure();
                        if (unrecorded != null) {
                            unused.add(notification.id());
                            throw unrecorded;
                        }
                        if (Thread.currentThread().isInterrupted()) {
                            unused.add(notification.id());
                            Thread.interrupted();
                            throw new InterruptedException(delivery.reason());
                        }
                        claimedElsewhere(notification);
                    }
                }
                completed = true;
            } finally {
                if (pending != null) {
                    Pending last = pending;
                    recorder.record(() -> settle(last, null));
                }
                // the last result is committed before the unused claims are given back on the same connection
                RuntimeException unrecorded = recorder.finish();
                times.recorded(recorder.recordNanos());
                if (smtpProblem != null) {
                    count(SendCounters.NOT_CONNECTED, unused.size());
                }
                claims.release(unused, smtpProblem);
                if (completed && unrecorded != null) {
                    throw unrecorded;
                }
            }
        }

        /**
         * Composes and delivers one claimed notification, and leaves its result pending; the final
         * delivery, or null when nothing was delivered (it is settled without a try).
         */
        private Delivery send(
                Notification notification, Claimed claimed, CourseQuery.Batches courses, ChunkConnection connection)
                throws InterruptedException {
            if (claimed.uncertainDeliveries() >= MAX_UNCERTAIN) {
                settleLater(notification, new Settlement(NotificationStatus.FAILED, TWO_UNKNOWN, 0));
                count(SendCounters.FAILED);
                log.warn("order {}: not sent: {}", notification.orderCode(), TWO_UNKNOWN);
                return null;
            }
            MimeMessage message;
            try {
                message = composer.compose(transport.session(), notification, courses.get(notification.orderId()));
            } catch (MessagingException | RuntimeException e) {
                String error = "cannot compose the email: " + e.getMessage();
                settleLater(notification, new Settlement(NotificationStatus.FAILED, error, 0));
                count(SendCounters.FAILED);
                log.warn("order {}: email not sent, cannot compose it: {}", notification.orderCode(), e.getMessage());
                return null;
            }
            try {
                pace.awaitTurn();
            } catch (InterruptedException e) {
                // nothing charged yet: the caller gives the claim back and stops
                Thread.currentThread().interrupt();
                return Delivery.heldBack("interrupted while waiting for reconciler.mail.max-rate");
            }
            // only a delivery handed to a server that took the session (and TLS, AUTH) costs an attempt
            Delivery unusable = connection.connect();
            if (unusable != null) {
                notConnected(notification, unusable);
                return unusable;
            }
            chargeWithPending(notification);
            long smtpStarted = System.nanoTime();
            long waitedBefore = recorder.waitNanos();
            int uncertain = claimed.uncertainDeliveries();
            Delivery delivery;
            int tries = 0;
            while (true) {
                delivery = connection.deliver(message, recorder.gate());
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
                    String reason = delivery.reason();
                    recorder.record(() -> claims.uncertain(notification.id(), reason));
                    recorder.awaitRecorded();
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
                recorder.recordGating(() -> claims.charge(notification.id(), false) ? null : claimGone(notification));
            }
            times.handOver(System.nanoTime() - smtpStarted - (recorder.waitNanos() - waitedBefore));
            if (delivery.outcome() != Delivery.Outcome.HELD_BACK) {
                settleLater(notification, settlement(notification, claimed, delivery, uncertain));
            }
            if (Thread.currentThread().isInterrupted() && delivery.outcome() != Delivery.Outcome.HELD_BACK) {
                Thread.interrupted();
                throw new InterruptedException("interrupted between two tries of order " + notification.orderCode());
            }
            return delivery;
        }

        /**
         * No usable connection before this notification's delivery: it stays {@code queued}, no
         * attempt charged, with the reason; the circuit opens, so the rest of the chunk and of the
         * queue wait for the next run ({@link #run} gives their claims back with the same reason).
         */
        private void notConnected(Notification notification, Delivery unusable) {
            settleLater(notification, new Settlement(NotificationStatus.QUEUED, unusable.reason(), 0));
            count(SendCounters.NOT_CONNECTED);
            smtpProblem = unusable.reason();
            stepExecution
                    .getExecutionContext()
                    .putString(SendCounters.SMTP_PROBLEM, EmailComposer.oneLine(unusable.reason(), 500));
            circuit.open();
            log.warn(
                    "SMTP server {} cannot be used, nothing was sent and no attempt is charged; every queued"
                            + " notification waits for the next run: {}",
                    transport.describe(),
                    unusable.reason());
        }

        /** Tells the pace whether the server throttled; a throttling reply pauses the whole loop. */
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

        /** Queues the charge of this delivery, in one statement with the result before it if any. */
        private void chargeWithPending(Notification next) {
            Pending before = pending;
            pending = null;
            if (before == null) {
                recorder.recordGating(() -> claims.charge(next.id(), true) ? null : claimGone(next));
            } else {
                recorder.recordGating(() -> settle(before, next) ? null : claimGone(next));
            }
        }

        /** Leaves a result to be recorded with the next charge; one already pending is recorded alone first. */
        private void settleLater(Notification notification, Settlement settlement) {
            if (pending != null) {
                Pending before = pending;
                recorder.record(() -> settle(before, null));
            }
            pending = new Pending(notification, settlement);
        }

        /** Records {@code settled} (and charges {@code next}); whether {@code next} was charged. */
        private boolean settle(Pending settled, Notification next) {
            NotificationStore.Settled done =
                    claims.settle(settled.notification().id(), settled.settlement(), next == null ? null : next.id());
            if (!done.recorded()) {
                log.warn(
                        "order {}: {}, but its claim had expired meanwhile (reconciler.mail.claim-timeout {})",
                        settled.notification().orderCode(),
                        settled.settlement().status().code(),
                        Durations.format(mail.claimTimeout()));
            }
            return done.nextCharged();
        }

        private String claimGone(Notification notification) {
            return "the claim on the notification of order " + notification.orderCode() + " is gone";
        }

        private void claimedElsewhere(Notification notification) {
            count(SendCounters.CLAIMED_ELSEWHERE);
            log.info("notification for order {} is claimed by another sender; left to it", notification.orderCode());
        }

        /**
         * Whether {@code stop} from any process asked this execution to stop, read from the job
         * repository over the chunk's own connection once every result before is committed. The
         * sender stops between two messages, so that a chunk of a slow SMTP server does not hold a
         * stop (or SIGTERM's {@code reconciler.shutdown-timeout}) up.
         */
        private boolean stopAskedInRepository() throws InterruptedException {
            recorder.awaitRecorded();
            List<String> status =
                    own.queryForList(jobStatusSql, Map.of("id", stepExecution.getJobExecutionId()), String.class);
            return status.contains("STOPPING") || status.contains("STOPPED");
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

    private void count(String key) {
        count(key, 1);
    }

    private void count(String key, long n) {
        StepCounters.add(stepExecution.getExecutionContext(), key, n);
    }
}
