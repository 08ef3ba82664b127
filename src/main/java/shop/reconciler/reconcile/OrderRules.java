package shop.reconciler.reconcile;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import shop.reconciler.addressing.EmailAddresses;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.SqlText;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.text.Durations;

/**
 * The reconciler's rules, each written once, both as the Java decision and as the SQL predicate
 * that decides the same in a statement. The reader, the writer, {@code plan}, {@code explain},
 * {@code status}, the gauges and the console all ask here, so they cannot drift apart.
 *
 * <ol>
 *   <li><b>Candidate</b>: an order whose {@code order_status} is exactly {@code processing}. No
 *       other order is ever touched.
 *   <li><b>Terminal</b>: a task whose status is exactly one of
 *       {@code reconciler.terminal-task-statuses}. A task without a status, or with one nobody
 *       defined, is not terminal ({@link TaskState}).
 *   <li><b>Finished</b>: at least one task, and every task terminal. A candidate without any task
 *       is an <b>anomaly</b>: never completed, reported.
 *   <li><b>Backlog</b>: a finished order whose newest task changed longer than
 *       {@code reconciler.mail.max-age} ago, on the database's clock, gets its notification
 *       {@code skipped}.
 *   <li><b>Stuck</b>: a candidate waiting on a task that is not terminal and unchanged for longer
 *       than {@code reconciler.stuck-task-after}.
 *   <li><b>Usable recipient</b>: {@code orders.user_email} if it is an address
 *       ({@link EmailAddresses}); else the notification is {@code failed} and no send is tried.
 *   <li><b>Delivered</b> and <b>failed course</b>, what the email says of each task of a finished
 *       order: delivered when its status is exactly {@code completed} (its drive link is listed),
 *       failed when exactly {@code failed} (its error is listed). With the default
 *       {@code reconciler.terminal-task-statuses} every task of a finished order is exactly one of
 *       the two. A status an operator adds to the terminal ones (say {@code cancelled}) is neither:
 *       it still finishes the order, and the email lists such a course with its status as it is
 *       ({@code Status: cancelled}), counted neither as ready nor as not delivered.
 * </ol>
 *
 * <p>The SQL side is a set of {@code {{name}}} fragments ({@link #sql()}, see {@link SqlText}) over
 * the aliases {@code o} ({@code orders}) and {@code t} ({@code download_tasks}), their status
 * comparisons exact by the {@link Dialect}, the configured values as checked literals, so a
 * statement of any shape can use them. Exact comparison in Java is {@link String#equals}.
 */
@Component
public final class OrderRules {

    /** The order status the reconciler reads and the one it writes. */
    public static final String PROCESSING = "processing";

    public static final String COMPLETED = "completed";

    /** The task status of a course delivered to the buyer: its drive link is what the email lists. */
    public static final String TASK_DELIVERED = "completed";

    /** The task status of a course that could not be delivered: its error is what the email lists. */
    public static final String TASK_FAILED = "failed";

    /** The task statuses the shop defines; any other value in {@code download_tasks.status} is unknown. */
    static final List<String> SHOP_TASK_STATUSES = List.of("pending", "processing", "enrolled", "completed", "failed");

    /** The longest recipient kept in a notification row (the column's length). */
    static final int RECIPIENT_LENGTH = 255;

    /** What a task's status means to the reconciler. */
    public enum TaskState {
        /** Finished: one of {@code reconciler.terminal-task-statuses}. */
        TERMINAL,
        /** A status the shop defines that is not terminal: the order waits for it. */
        OPEN,
        /** No status, or one the shop does not define: the order waits until someone changes it. */
        UNDEFINED
    }

    /**
     * The notification a newly completed order gets.
     *
     * @param recipient the address as it will be used, or the shop's raw value (cut to the column)
     *     when it is not usable; null for {@code skipped}, whose row the server copies from the
     *     order ({@code NotificationStore#insertSkipped})
     * @param error why it is {@code skipped} or {@code failed}, else null
     */
    public record Mail(NotificationStatus status, String recipient, String error) {}

    private final List<String> terminal;
    private final Set<String> known;
    private final Duration maxAge;
    private final Duration stuckAfter;
    private final String backlogReason;
    private final Map<String, String> sql;

    @Autowired
    public OrderRules(ReconcilerProperties properties, Dialect dialect) {
        this(properties.terminalTaskStatuses(), properties.mail().maxAge(), properties.stuckTaskAfter(), dialect);
    }

    public OrderRules(List<String> terminal, Duration maxAge, Duration stuckAfter, Dialect dialect) {
        this.terminal = List.copyOf(terminal);
        Set<String> knownStatuses = new LinkedHashSet<>(SHOP_TASK_STATUSES);
        knownStatuses.addAll(terminal);
        this.known = Set.copyOf(knownStatuses);
        this.maxAge = maxAge;
        this.stuckAfter = stuckAfter;
        this.backlogReason = "newest task older than reconciler.mail.max-age (" + Durations.format(maxAge) + ")";
        this.sql = sqlFragments(dialect, knownStatuses);
    }

    private Map<String, String> sqlFragments(Dialect dialect, Set<String> knownStatuses) {
        String taskStatus = dialect.exact("t.status");
        String taskIsTerminal = "t.status IS NOT NULL AND " + taskStatus + " IN (" + SqlText.literals(terminal) + ")";
        String taskIsOpen = "(t.status IS NULL OR " + taskStatus + " NOT IN (" + SqlText.literals(terminal) + "))";
        String orderHasNoOpenTask =
                "NOT EXISTS (SELECT 1 FROM download_tasks t WHERE t.order_id = o.id AND " + taskIsOpen + ")";
        String stuckCutoff = ago(stuckAfter);
        Map<String, String> parts = new HashMap<>();
        parts.put("taskStatus", taskStatus);
        parts.put("orderIsCandidate", dialect.isExactly("o.order_status", SqlText.literal(PROCESSING)));
        parts.put("orderIsCompleted", dialect.isExactly("o.order_status", SqlText.literal(COMPLETED)));
        parts.put("completed", SqlText.literal(COMPLETED));
        parts.put("taskIsTerminal", taskIsTerminal);
        parts.put("taskIsOpen", taskIsOpen);
        parts.put("taskIsDelivered", dialect.isExactly("t.status", SqlText.literal(TASK_DELIVERED)));
        parts.put("taskIsFailed", dialect.isExactly("t.status", SqlText.literal(TASK_FAILED)));
        parts.put(
                "taskIsKnown",
                "t.status IS NOT NULL AND " + taskStatus + " IN (" + SqlText.literals(knownStatuses) + ")");
        // A scalar subquery probed per order on the tasks' index, not an EXISTS: MariaDB turns an
        // EXISTS in a count over every processing order into a semi-join that scans every task.
        String firstTask = "(SELECT 1 FROM download_tasks t WHERE t.order_id = o.id LIMIT 1)";
        String orderHasTask = firstTask + " IS NOT NULL";
        parts.put("orderHasTask", orderHasTask);
        parts.put("orderHasNoTask", firstTask + " IS NULL");
        parts.put("orderHasNoOpenTask", orderHasNoOpenTask);
        parts.put("orderIsFinished", orderHasTask + " AND " + orderHasNoOpenTask);
        parts.put("backlogCutoff", ago(maxAge));
        parts.put("stuckCutoff", stuckCutoff);
        parts.put("taskIsStuck", taskIsOpen + " AND t.updated_at < " + stuckCutoff);
        parts.put(
                "orderHasStuckTask",
                "(SELECT 1 FROM download_tasks t WHERE t.order_id = o.id AND " + taskIsOpen + " AND t.updated_at < "
                        + stuckCutoff + " LIMIT 1) IS NOT NULL");
        return Map.copyOf(parts);
    }

    /** The moment {@code age} ago on the database's clock, to the millisecond. */
    private static String ago(Duration age) {
        return "TIMESTAMPADD(SECOND, -" + age.toSeconds() + ", NOW(3))";
    }

    // ------------------------------------------------------------------------------------------
    // The rules in SQL
    // ------------------------------------------------------------------------------------------

    /**
     * The rules as {@code {{name}}} fragments for {@link SqlText#fill}:
     *
     * <ul>
     *   <li>{@code orderIsCandidate}, {@code orderIsCompleted}: {@code o.order_status} is exactly
     *       {@code processing} / {@code completed}, still served by {@code idx_orders_status_id};
     *       {@code completed}: the status the reconciler writes, as a literal.
     *   <li>{@code taskStatus}: {@code t.status} as an operand that compares exactly;
     *       {@code taskIsTerminal}, {@code taskIsOpen} (not terminal, no status included),
     *       {@code taskIsKnown} (a status the shop defines or a terminal one), {@code taskIsStuck}
     *       (open and unchanged past stuck-task-after); {@code taskIsDelivered},
     *       {@code taskIsFailed}: what the email says of a course (never true for a task without
     *       a status).
     *   <li>{@code orderHasTask}, {@code orderHasNoTask} (the anomaly), {@code orderHasNoOpenTask},
     *       {@code orderIsFinished}: subqueries on {@code download_tasks t} for the order {@code o}.
     *   <li>{@code backlogCutoff}, {@code stuckCutoff}: max-age and stuck-task-after ago, on the
     *       database's clock; a task is older when its {@code updated_at} is before.
     * </ul>
     */
    public Map<String, String> sql() {
        return sql;
    }

    /** {@code statement} with the rules' fragments filled in; other markers stay. */
    public String fill(String statement) {
        return SqlText.fill(statement, sql);
    }

    // ------------------------------------------------------------------------------------------
    // The rules in Java
    // ------------------------------------------------------------------------------------------

    /** Candidate: the order's status is exactly {@code processing}. */
    public boolean isCandidate(String orderStatus) {
        return PROCESSING.equals(orderStatus);
    }

    /** The order's status is exactly {@code completed}. */
    public boolean isCompleted(String orderStatus) {
        return COMPLETED.equals(orderStatus);
    }

    /** The state of a task with this status, compared exactly. */
    public TaskState taskState(String status) {
        if (status != null && terminal.contains(status)) {
            return TaskState.TERMINAL;
        }
        return status != null && known.contains(status) ? TaskState.OPEN : TaskState.UNDEFINED;
    }

    /** Delivered: the course's task status is exactly {@code completed}; the email lists its link. */
    public boolean isDeliveredTask(String status) {
        return TASK_DELIVERED.equals(status);
    }

    /** Failed course: the task status is exactly {@code failed}; the email lists its error. */
    public boolean isFailedTask(String status) {
        return TASK_FAILED.equals(status);
    }

    /** Finished: at least one task, and none of them open. */
    public static boolean isFinished(long tasks, long openTasks) {
        return tasks > 0 && openTasks == 0;
    }

    /** A candidate without any task: never completed, reported instead. */
    public static boolean isAnomaly(long tasks) {
        return tasks == 0;
    }

    /** Backlog: the newest task changed before the max-age cut-off read with it. */
    public static boolean isBacklog(Timestamp newestTask, Timestamp backlogCutoff) {
        return newestTask != null && backlogCutoff != null && newestTask.before(backlogCutoff);
    }

    /**
     * The notification a newly completed order gets: {@code skipped} for a backlog (a backlog must
     * not spam), else {@code failed} without a usable recipient, else {@code queued}; the address is
     * checked only for an order that would get an email.
     */
    public Mail mailFor(boolean backlog, String userEmail) {
        if (backlog) {
            return new Mail(NotificationStatus.SKIPPED, null, backlogReason);
        }
        EmailAddresses.Checked recipient = EmailAddresses.check(userEmail);
        return recipient.ok()
                ? new Mail(NotificationStatus.QUEUED, recipient.address(), null)
                : new Mail(NotificationStatus.FAILED, truncate(userEmail, RECIPIENT_LENGTH), recipient.problem());
    }

    /** Why a backlog's notification is {@code skipped}, as recorded in its {@code last_error}. */
    public String backlogReason() {
        return backlogReason;
    }

    public List<String> terminalStatuses() {
        return terminal;
    }

    public Duration maxAge() {
        return maxAge;
    }

    public Duration stuckAfter() {
        return stuckAfter;
    }

    /**
     * The first {@code max} characters as the column counts them (code points: a utf8mb4
     * {@code VARCHAR(n)} holds n of them, as the server's {@code LEFT} counts), never half of a
     * character outside the Basic Multilingual Plane.
     */
    private static String truncate(String value, int max) {
        if (value == null || value.codePointCount(0, value.length()) <= max) {
            return value;
        }
        return value.substring(0, value.offsetByCodePoints(0, max));
    }
}
