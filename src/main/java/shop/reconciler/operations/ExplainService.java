package shop.reconciler.operations;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import shop.reconciler.db.DatabaseClock;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.reconcile.OrderRules;
import shop.reconciler.reconcile.RunPreview;
import shop.reconciler.text.Durations;

/**
 * {@code explain <orderCode>}: the question support asks most, "why is this order still open, or
 * did its buyer get the email?", answered from the database by the reconciler's own rules.
 *
 * <ol>
 *   <li>The order and its tasks, counted by status in SQL: what each status means to the
 *       reconciler (terminal, open, or a status the shop does not define), and how many have been
 *       open for longer than {@code reconciler.stuck-task-after} on the database's clock (stuck).
 *   <li>The tasks that hold the order open, at most {@link #TASK_LIMIT} of them (then terminal
 *       ones up to that number), each with its status and how long since it changed; texts cut to
 *       {@link #TEXT_LIMIT} characters by the server. An order of 10,000 tasks with long errors
 *       costs a viewer a hundred short rows, never the tasks' error messages.
 *   <li>The verdict: completed (by which execution, when), finished (the next run completes it),
 *       open, stuck, held by an undefined status, an anomaly without tasks, or not a processing
 *       order at all.
 *   <li>Its notification, if it has one: status, attempts, recipient, last error, Message-ID,
 *       when it was queued and sent.
 * </ol>
 */
@Component
public class ExplainService {

    static final String ORDER_SQL = """
            SELECT id, order_code, order_status, user_email, created_at, updated_at
              FROM orders WHERE order_code = :code
            """;

    /** Tasks listed per order, those holding it open first. */
    public static final int TASK_LIMIT = 100;

    /** Characters of a task's title (or URL) and status shown. */
    public static final int TEXT_LIMIT = 200;

    /**
     * The order's tasks by exact status, and how many of each are older than stuck-task-after (the
     * markers are {@link OrderRules#sql}); bounded by the number of distinct statuses.
     */
    static final String TASK_COUNTS_SQL = """
            SELECT MIN(t.status) AS status, COUNT(*) AS n,
                   SUM(CASE WHEN t.updated_at < {{stuckCutoff}} THEN 1 ELSE 0 END) AS old
              FROM download_tasks t
             WHERE t.order_id = :orderId
             GROUP BY {{taskStatus}}
             LIMIT 1000
            """;

    /** The tasks that hold the order open first, then the others; short texts only. */
    static final String TASKS_SQL = """
            SELECT t.id, LEFT(COALESCE(NULLIF(t.course_title, ''), t.course_url), :textLimit) AS title,
                   LEFT(t.status, :textLimit) AS status, t.updated_at,
                   CASE WHEN t.updated_at < {{stuckCutoff}} THEN 1 ELSE 0 END AS old
              FROM download_tasks t
             WHERE t.order_id = :orderId
             ORDER BY CASE WHEN {{taskIsTerminal}} THEN 1 ELSE 0 END, t.id
             LIMIT :taskLimit
            """;

    /** What holds the order, or what became of it. */
    public enum Verdict {
        COMPLETED,
        FINISHED,
        OPEN,
        STUCK,
        UNDEFINED_STATUS,
        NO_TASKS,
        NOT_PROCESSING
    }

    /** What a task's status means to the reconciler. */
    public enum TaskState {
        /** Finished: one of {@code reconciler.terminal-task-statuses}. */
        TERMINAL,
        /** A status the shop defines that is not terminal: the order waits for it. */
        OPEN,
        /** No status, or one the shop does not define: the order waits until someone changes it. */
        UNDEFINED;

        static TaskState of(OrderRules.TaskState state) {
            return valueOf(state.name());
        }
    }

    public record Task(long id, String title, String status, TaskState state, long changedSecondsAgo, boolean stuck) {}

    public record Completion(Long executionId, String executionStatus, Instant at) {}

    /**
     * @param tasks the tasks that hold the order open first, at most {@link #TASK_LIMIT}
     * @param taskCount all tasks of the order
     * @param notListed tasks counted but not in {@code tasks}
     */
    public record Explanation(
            String orderCode,
            long orderId,
            String orderStatus,
            Verdict verdict,
            String reason,
            List<Task> tasks,
            long taskCount,
            long notListed,
            Completion completedBy,
            NotificationView notification) {}

    private record Order(long id, String code, String status) {}

    private final NamedParameterJdbcTemplate jdbc;
    private final RunPreview preview;
    private final OrderRules rules;
    private final NotificationStore notifications;
    private final JobRepository jobRepository;
    private final DatabaseClock clock;

    ExplainService(
            NamedParameterJdbcTemplate jdbc,
            RunPreview preview,
            OrderRules rules,
            NotificationStore notifications,
            JobRepository jobRepository,
            DatabaseClock clock) {
        this.jdbc = jdbc;
        this.preview = preview;
        this.rules = rules;
        this.notifications = notifications;
        this.jobRepository = jobRepository;
        this.clock = clock;
    }

    /** What {@code explain} prints, as data: the CLI and the console both render it. */
    public Optional<Explanation> explain(String code) {
        List<Order> found = jdbc.query(
                ORDER_SQL,
                Map.of("code", code),
                (rs, n) -> new Order(rs.getLong("id"), rs.getString("order_code"), rs.getString("order_status")));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Order order = found.get(0);
        Instant now = clock.now();
        Map<String, Object> params = Map.of("orderId", order.id(), "textLimit", TEXT_LIMIT, "taskLimit", TASK_LIMIT);
        long total = 0;
        long waiting = 0;
        long undefined = 0;
        long stuck = 0;
        for (Map<String, Object> group : jdbc.queryForList(rules.fill(TASK_COUNTS_SQL), params)) {
            OrderRules.TaskState state = rules.taskState((String) group.get("status"));
            long n = ((Number) group.get("n")).longValue();
            total += n;
            if (state != OrderRules.TaskState.TERMINAL) {
                waiting += n;
                stuck += ((Number) group.get("old")).longValue();
            }
            if (state == OrderRules.TaskState.UNDEFINED) {
                undefined += n;
            }
        }
        List<Task> tasks = jdbc.query(rules.fill(TASKS_SQL), params, (rs, n) -> {
            String status = rs.getString("status");
            OrderRules.TaskState state = rules.taskState(status);
            return new Task(
                    rs.getLong("id"),
                    rs.getString("title"),
                    status,
                    TaskState.of(state),
                    clock.secondsSince(rs.getObject("updated_at", LocalDateTime.class), now),
                    state != OrderRules.TaskState.TERMINAL && rs.getInt("old") == 1);
        });
        Optional<NotificationStore.Row> notification = notifications.forOrder(order.id());
        Completion completion = null;
        Verdict verdict;
        String reason;
        String terminal = String.join(", ", rules.terminalStatuses());
        if (rules.isCompleted(order.status())) {
            verdict = Verdict.COMPLETED;
            if (notification.isPresent()) {
                completion = completion(notification.get());
                reason = "completed by execution " + completion.executionId()
                        + (completion.executionStatus() == null ? "" : " (" + completion.executionStatus() + ")")
                        + " at " + completion.at();
            } else {
                reason = "completed, but not by the reconciler (it has no notification): the shop completed it";
            }
        } else if (!rules.isCandidate(order.status())) {
            verdict = Verdict.NOT_PROCESSING;
            reason = "its status is '" + order.status() + "': the reconciler only completes processing orders";
        } else if (OrderRules.isAnomaly(total)) {
            verdict = Verdict.NO_TASKS;
            reason = "processing without any download task: an anomaly, never completed; the shop must add its"
                    + " tasks or settle the order by hand";
        } else if (undefined > 0) {
            verdict = Verdict.UNDEFINED_STATUS;
            reason = "waiting on " + undefined + " task(s) with a status the shop does not define; only a terminal"
                    + " status (" + terminal + ") finishes a task";
        } else if (stuck > 0) {
            verdict = Verdict.STUCK;
            reason = "stuck: waiting on " + stuck + " task(s) unchanged for longer than "
                    + Durations.format(rules.stuckAfter())
                    + " (reconciler.stuck-task-after); look at the worker that runs them";
        } else if (!OrderRules.isFinished(total, waiting)) {
            verdict = Verdict.OPEN;
            reason = "open: waiting on " + waiting + " of " + total + " task(s) not yet terminal (" + terminal + ")";
        } else {
            verdict = Verdict.FINISHED;
            reason = "finished: every task is terminal; the next run completes it"
                    + preview.notificationFor(order.id())
                            .map(status -> switch (status) {
                                case SKIPPED ->
                                    " without email (its newest task is older than reconciler.mail.max-age," + " "
                                            + Durations.format(rules.maxAge()) + ")";
                                case FAILED -> " without email (its address is not usable)";
                                default -> " and queues its email";
                            })
                            .orElse(" and keeps the notification it already has");
        }
        return Optional.of(new Explanation(
                order.code(),
                order.id(),
                order.status(),
                verdict,
                reason,
                tasks,
                total,
                total - tasks.size(),
                completion,
                notification.map(row -> NotificationView.of(row, clock)).orElse(null)));
    }

    private Completion completion(NotificationStore.Row row) {
        String status = null;
        if (row.jobExecutionId() != null) {
            try {
                JobExecution execution = jobRepository.getJobExecution(row.jobExecutionId());
                status = execution == null ? null : execution.getStatus().name();
            } catch (EmptyResultDataAccessException e) {
                status = null;
            }
        }
        return new Completion(row.jobExecutionId(), status, clock.instantOf(row.createdAt()));
    }
}
