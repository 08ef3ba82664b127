package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
import shop.reconciler.Durations;
import shop.reconciler.ReconcilerProperties;
import shop.reconciler.StepCounters;
import shop.reconciler.outbox.Notification;
import shop.reconciler.outbox.NotificationStore;

/**
 * Sends the notifications of one chunk, one SMTP connection for the chunk.
 *
 * <ol>
 *   <li>One query loads the tasks of every order in the chunk.
 *   <li>Claim the chunk's notifications with one guarded UPDATE, committed at once (still
 *       {@code queued}, no live claim; {@code attempts + 1}), and read back which ones this sender
 *       got. A notification claimed by another sender is left to it. Claims older than half of
 *       {@code reconciler.mail.claim-timeout} are renewed before the next send, and claims not used
 *       (the SMTP server became unreachable) are given back without counting the attempt.
 *   <li>Send it. A transient failure is tried again after a short, doubling pause, up to
 *       {@code reconciler.mail.retries} times, on a fresh connection.
 *   <li>Record the result at once, in its own transaction: {@code sent}; {@code failed} with the
 *       server's reply for a permanent refusal; otherwise back to {@code queued} with the error,
 *       or {@code failed} once {@code reconciler.mail.max-attempts} is reached.
 * </ol>
 *
 * Step 4 runs on a {@link ResultRecorder}'s thread while the next message's SMTP conversation
 * (envelope, {@code DATA}, content) goes out; only that message's end of data, the point where the
 * server takes it, waits until the record is committed ({@link GatedSmtpTransport}). So a message
 * is still delivered only once every result before it is durable, and at most one accepted
 * message is ever unrecorded. When a record fails, the next message is abandoned before its end of
 * data (the connection is dropped), nothing more is sent, and the chunk fails.
 *
 * A stop (SIGTERM, or {@code stop} from any process, read from the job repository at most once a
 * second) ends the chunk between two messages: the rest keep no claim and stay {@code queued}.
 *
 * Claims, records and releases go over one connection of their own for the chunk, in auto-commit
 * mode: each is a single statement, so each is its own transaction, committed when the statement
 * returns, in one round trip (a transaction opened and closed around it would cost three more).
 *
 * A crash between the server's acceptance and step 4 leaves the claim to expire after
 * {@code reconciler.mail.claim-timeout}; the message is then sent once more, with the same
 * Message-ID. That is the one duplicate no SMTP client can rule out.
 */
class NotificationSender implements ItemWriter<Notification> {

    private static final Logger log = LoggerFactory.getLogger(NotificationSender.class);

    static final String TASKS_SQL = """
            SELECT order_id, course_title, course_url, status, drive_link, error_message
              FROM download_tasks
             WHERE order_id IN (:orderIds)
             ORDER BY order_id, id
            """;

    /** The job repository's record of whether a stop was asked for (by {@code stop}, from any process). */
    static final String JOB_STATUS_SQL = "SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = :id";

    /** How often, at most, a chunk reads {@link #JOB_STATUS_SQL} between two sends. */
    static final Duration STOP_POLL = Duration.ofSeconds(1);

    private final NamedParameterJdbcTemplate jdbc;
    private final DataSource dataSource;
    private final MailTransport outbox;
    private final EmailComposer composer;
    private final ReconcilerProperties.Mail mail;
    private final SendCircuit circuit;
    private final StepExecution stepExecution;
    private final String claimant;
    private final NotificationStore store;
    private NotificationStore.Claims claims;

    NotificationSender(
            NamedParameterJdbcTemplate jdbc,
            DataSource dataSource,
            MailTransport outbox,
            EmailComposer composer,
            ReconcilerProperties properties,
            SendCircuit circuit,
            StepExecution stepExecution,
            String claimant,
            NotificationStore store) {
        this.store = store;
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.outbox = outbox;
        this.composer = composer;
        this.mail = properties.mail();
        this.circuit = circuit;
        this.stepExecution = stepExecution;
        this.claimant = claimant;
    }

    @Override
    public void write(Chunk<? extends Notification> chunk) throws InterruptedException {
        List<? extends Notification> items = chunk.getItems();
        if (items.isEmpty()) {
            return;
        }
        Map<Long, List<CourseResult>> courses = loadCourses(items);
        Connection ownConnection = borrowAutoCommitting();
        try {
            SingleConnectionDataSource own = new SingleConnectionDataSource(ownConnection, true);
            claims = store.on(own).claims(claimant, mail.claimTimeout().toSeconds());
            write(items, courses, new NamedParameterJdbcTemplate(own));
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

    private void write(
            List<? extends Notification> items, Map<Long, List<CourseResult>> courses, NamedParameterJdbcTemplate own)
            throws InterruptedException {
        Set<Long> mine = claims.claim(ids(items));
        Instant claimedAt = Instant.now();
        Set<Long> unused = new HashSet<>(mine);
        MailTransport.Connection connection = null;
        ResultRecorder recorder = new ResultRecorder();
        boolean completed = false;
        long stopPolledAt = System.nanoTime();
        try {
            for (int i = 0; i < items.size() && !circuit.isOpen(); i++) {
                Notification notification = items.get(i);
                boolean pollDue = System.nanoTime() - stopPolledAt >= STOP_POLL.toNanos();
                if (pollDue) {
                    stopPolledAt = System.nanoTime();
                }
                if (stopAskedHere() || (pollDue && stopAskedInRepository(own, recorder))) {
                    log.info(
                            "stop requested: the chunk's {} notifications not sent yet stay queued for the restart",
                            items.size() - i);
                    break;
                }
                if (Duration.between(claimedAt, Instant.now())
                                .compareTo(mail.claimTimeout().dividedBy(2))
                        > 0) {
                    recorder.awaitRecorded();
                    mine = claims.renew(ids(items.subList(i, items.size())));
                    unused.retainAll(mine);
                    claimedAt = Instant.now();
                }
                if (!mine.contains(notification.id())) {
                    count(SendCounters.CLAIMED_ELSEWHERE);
                    log.info(
                            "notification for order {} is claimed by another sender; left to it",
                            notification.orderCode());
                    continue;
                }
                unused.remove(notification.id());
                try {
                    connection = send(notification, courses, connection, recorder);
                } catch (NotDelivered e) {
                    unused.add(notification.id());
                    connection = null;
                    RuntimeException unrecorded = recorder.failure();
                    if (unrecorded != null) {
                        throw unrecorded;
                    }
                    Thread.interrupted();
                    throw new InterruptedException(e.getMessage());
                }
            }
            completed = true;
        } finally {
            if (connection != null) {
                connection.close();
            }
            // the last result is committed before the unused claims are given back on the same connection
            RuntimeException unrecorded = recorder.finish();
            add(SendCounters.RECORD_MICROS, recorder.recordNanos());
            add(SendCounters.RECORD_WAIT_MICROS, recorder.waitNanos());
            if (!unused.isEmpty()) {
                claims.release(unused);
            }
            if (completed && unrecorded != null) {
                throw unrecorded;
            }
        }
    }

    /**
     * Composes and sends one claimed notification and queues the recording of its outcome; returns
     * the connection to reuse.
     *
     * @throws NotDelivered when the message was held back because an earlier result could not be
     *     recorded (or the wait for it was interrupted): it was not delivered and keeps its claim unused
     */
    private MailTransport.Connection send(
            Notification notification,
            Map<Long, List<CourseResult>> courses,
            MailTransport.Connection connection,
            ResultRecorder recorder)
            throws InterruptedException, NotDelivered {
        long started = System.nanoTime();
        MimeMessage message;
        try {
            message = composer.compose(
                    outbox.session(), notification, courses.getOrDefault(notification.orderId(), List.of()));
        } catch (MessagingException | RuntimeException e) {
            recorder.record(() -> claims.failed(notification.id(), "cannot compose the email: " + e.getMessage()));
            count(SendCounters.FAILED);
            log.warn("order {}: email not sent, cannot compose it: {}", notification.orderCode(), e.getMessage());
            return connection;
        }
        long composed = System.nanoTime();
        add(SendCounters.COMPOSE_MICROS, composed - started);
        long smtpNanos = 0;
        long waitedBefore = recorder.waitNanos();
        SendFailure failure = null;
        for (int attempt = 0; attempt <= mail.retries(); attempt++) {
            if (attempt > 0) {
                Thread.sleep(mail.retryBackoff().toMillis() << (attempt - 1));
            }
            long attemptStarted = System.nanoTime();
            try {
                if (connection == null) {
                    connection = outbox.open();
                }
                connection.send(message, recorder.gate());
                failure = null;
                break;
            } catch (MessagingException e) {
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
                HandOverGate.NotRecorded heldBack = heldBack(e);
                if (heldBack != null) {
                    throw new NotDelivered(heldBack);
                }
                failure = SendFailure.of(e);
                if (failure.kind() == SendFailure.Kind.PERMANENT) {
                    break;
                }
            } finally {
                smtpNanos += System.nanoTime() - attemptStarted;
            }
        }
        add(SendCounters.SMTP_MICROS, smtpNanos - (recorder.waitNanos() - waitedBefore));
        settle(notification, failure, recorder);
        return connection;
    }

    /** The gate's refusal behind a failed send, or null when the send failed on its own. */
    private static HandOverGate.NotRecorded heldBack(Throwable e) {
        for (Throwable t = e; t != null; t = SendFailure.next(t)) {
            if (t instanceof HandOverGate.NotRecorded notRecorded) {
                return notRecorded;
            }
        }
        return null;
    }

    /**
     * Counts, logs and queues the record of one outcome. The decision (and the circuit) is taken
     * here, at once; only the statement waits for its turn on the recorder's thread.
     */
    private void settle(Notification notification, SendFailure failure, ResultRecorder recorder) {
        if (failure == null) {
            recorder.record(() -> {
                if (claims.sent(notification.id()) == 0) {
                    log.warn(
                            "order {}: sent, but its claim had expired meanwhile (reconciler.mail.claim-timeout {})",
                            notification.orderCode(),
                            Durations.format(mail.claimTimeout()));
                }
            });
            count(SendCounters.SENT);
            log.debug("order {}: sent to {}", notification.orderCode(), notification.recipient());
        } else if (failure.kind() == SendFailure.Kind.PERMANENT) {
            recorder.record(() -> claims.failed(notification.id(), failure.reason()));
            count(SendCounters.FAILED);
            log.warn("order {}: refused for good by the SMTP server: {}", notification.orderCode(), failure.reason());
        } else {
            recorder.record(() -> claims.retryLater(notification.id(), failure.reason(), mail.maxAttempts()));
            boolean exhausted = notification.attempts() + 1 >= mail.maxAttempts();
            count(exhausted ? SendCounters.FAILED : SendCounters.RETRY_LATER);
            log.warn(
                    "order {}: not sent ({}), attempt {} of {}{}: {}",
                    notification.orderCode(),
                    failure.kind().name().toLowerCase(),
                    notification.attempts() + 1,
                    mail.maxAttempts(),
                    exhausted ? ", giving up" : ", will retry in a later run",
                    failure.reason());
            if (failure.kind() == SendFailure.Kind.UNREACHABLE) {
                circuit.open(failure.reason());
                log.warn(
                        "SMTP server {} unreachable: the remaining notifications stay queued for the next run",
                        outbox.describe());
            }
        }
    }

    /** Whether this process asked this execution to stop (SIGTERM), or Spring Batch saw a stop at the last chunk boundary. */
    private boolean stopAskedHere() {
        return stepExecution.isTerminateOnly()
                || stepExecution.getJobExecution().isStopping();
    }

    /**
     * Whether {@code stop} from any process asked this execution to stop, read from the job
     * repository over the chunk's own connection once every result before is committed. The sender
     * stops between two messages, so that a chunk of a slow SMTP server does not hold a stop (or
     * SIGTERM's {@code reconciler.shutdown-timeout}) up.
     */
    private boolean stopAskedInRepository(NamedParameterJdbcTemplate own, ResultRecorder recorder)
            throws InterruptedException {
        recorder.awaitRecorded();
        List<String> status =
                own.queryForList(JOB_STATUS_SQL, Map.of("id", stepExecution.getJobExecutionId()), String.class);
        return status.contains("STOPPING") || status.contains("STOPPED");
    }

    /** A message held back at its end of data because an earlier result was not recorded. */
    private static final class NotDelivered extends Exception {
        NotDelivered(HandOverGate.NotRecorded heldBack) {
            super(heldBack.getMessage(), heldBack, false, false);
        }
    }

    private static List<Long> ids(List<? extends Notification> notifications) {
        return notifications.stream().map(Notification::id).toList();
    }

    private Map<Long, List<CourseResult>> loadCourses(List<? extends Notification> notifications) {
        Map<Long, List<CourseResult>> byOrder = new HashMap<>();
        if (notifications.isEmpty()) {
            return byOrder;
        }
        List<Long> orderIds = notifications.stream().map(Notification::orderId).toList();
        jdbc.query(TASKS_SQL, Map.of("orderIds", orderIds), rs -> {
            CourseResult course = new CourseResult(
                    rs.getLong("order_id"),
                    rs.getString("course_title"),
                    rs.getString("course_url"),
                    rs.getString("status"),
                    rs.getString("drive_link"),
                    rs.getString("error_message"));
            byOrder.computeIfAbsent(course.orderId(), id -> new ArrayList<>()).add(course);
        });
        return byOrder;
    }

    private void count(String key) {
        StepCounters.add(stepExecution.getExecutionContext(), key, 1);
    }

    private void add(String micros, long nanos) {
        StepCounters.add(stepExecution.getExecutionContext(), micros, nanos / 1000);
    }
}
