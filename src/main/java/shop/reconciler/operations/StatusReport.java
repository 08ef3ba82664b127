package shop.reconciler.operations;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.DatabaseClock;
import shop.reconciler.history.JobHistory;
import shop.reconciler.history.JobHistory.ExecutionSummary;
import shop.reconciler.lease.JobLease;
import shop.reconciler.mail.SendStepConfiguration;
import shop.reconciler.monitor.BacklogGauges;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.reconcile.OrderCompletionJobConfiguration;
import shop.reconciler.reconcile.RunPreview;
import shop.reconciler.reconcile.StepFigures;
import shop.reconciler.reconcile.WriteFailures;

/**
 * {@code status [--limit N] [--json] [--live]}: what an operator asks first. It reads the database
 * only (job repository, lease row, outbox, shop), so it answers from any node, also during a run.
 *
 * <p>Anomalies and stuck orders are the groups the newest completed reconcile step counted while it
 * read every processing order ({@link StepFigures}), shown with that execution and the step's end:
 * counting them again means one probe into the tasks per processing order (about a second of the
 * database's time per 200,000 processing orders). They are counted now instead with {@code live},
 * when no reconcile step completed yet, or when the last one counted stuck orders by another
 * {@code reconciler.stuck-task-after}. Everything else is read now, by index.
 */
@Component
public class StatusReport {

    /** The job's name, as the job repository knows it. */
    public static final String JOB_NAME = OrderCompletionJobConfiguration.JOB_NAME;

    /** The send step's name: its exit message holds its own counts (written: accepted by the server). */
    public static final String SEND_STEP_NAME = SendStepConfiguration.STEP_NAME;

    /**
     * The lease row: {@code held} or {@code free}, by whom, since and until when (UTC); a lease never
     * taken has neither.
     */
    public record Lease(String state, String lockedBy, Instant lockedAt, Instant until) {}

    /**
     * Which count the anomalies and stuck orders are.
     *
     * @param execution the execution whose reconcile step counted them while it read every
     *     processing order; null when they were counted now
     * @param asOf when that step ended, or now (both on the database's clock)
     */
    public record Counted(Long execution, Instant asOf) {

        /** Counted by this read, not taken from a step. */
        public boolean live() {
            return execution == null;
        }
    }

    /**
     * @param uncertain notifications with at least one delivery of unknown outcome
     * @param stuckAfter {@code reconciler.stuck-task-after}
     * @param stuck processing orders waiting on a task unchanged for longer than that
     * @param stuckOrderCodes the first ten of them
     * @param orphaned executions shown as running while no process holds the lease: their process
     *     died, and the next run recovers and restarts them
     * @param counted where {@code anomalies} and {@code stuck} come from, and as of when
     */
    public record Snapshot(
            List<ExecutionView> executions,
            Lease lease,
            Map<String, Long> notifications,
            Instant oldestQueued,
            long uncertain,
            long anomalies,
            List<String> anomalyOrderCodes,
            Duration stuckAfter,
            long stuck,
            List<String> stuckOrderCodes,
            List<Long> orphaned,
            long writeFailures,
            List<WriteFailure> writeFailureOrders,
            Counted counted) {}

    /** A processing order the database refused to complete: its error, how often, since and until when. */
    public record WriteFailure(
            long orderId, String orderCode, String error, int failures, Instant firstFailedAt, Instant lastFailedAt) {}

    /**
     * What the console's overview shows: anomalies and stuck orders as {@link #snapshot} takes them
     * ({@code counted} says which), the rest from the backlog gauges' last read when they run (then
     * {@code freshness} too), else as {@link #snapshot} reads it.
     */
    public record Overview(
            List<ExecutionView> executions,
            Lease lease,
            Map<String, Long> notifications,
            Instant oldestQueued,
            long uncertain,
            OrderGroup anomalies,
            Duration stuckAfter,
            OrderGroup stuck,
            long writeFailures,
            List<Long> orphaned,
            Counted counted,
            Freshness freshness) {}

    /**
     * The backlog gauges' signals.
     *
     * @param lastCompletedAge since the last completed execution ended; null until the database answered
     * @param oldestQueuedAge of the oldest queued notification, zero when none; null as above
     * @param refresh how often the gauges read the database, whoever asks
     * @param readAgo how long ago they read it; null when the database did not answer
     */
    public record Freshness(
            Duration lastCompletedAge,
            long finishedNotCompleted,
            Duration oldestQueuedAge,
            long stuck,
            Duration refresh,
            Duration readAgo) {}

    private final JobLease jobLease;
    private final JobHistory history;
    private final NotificationStore notifications;
    private final RunPreview rules;
    private final ReconcilerProperties properties;
    private final WriteFailures writeFailures;
    private final DatabaseClock clock;
    private final ObjectProvider<BacklogGauges> backlog;

    StatusReport(
            JobLease jobLease,
            JobHistory history,
            NotificationStore notifications,
            RunPreview rules,
            ReconcilerProperties properties,
            WriteFailures writeFailures,
            DatabaseClock clock,
            ObjectProvider<BacklogGauges> backlog) {
        this.jobLease = jobLease;
        this.history = history;
        this.notifications = notifications;
        this.rules = rules;
        this.properties = properties;
        this.writeFailures = writeFailures;
        this.clock = clock;
        this.backlog = backlog;
    }

    /** What {@code status} prints, as data, anomalies and stuck orders as the last step counted them. */
    public Snapshot snapshot(int limit) {
        return snapshot(limit, false);
    }

    /**
     * What {@code status} prints, as data: the CLI and the console both render it.
     *
     * @param live count anomalies and stuck orders now rather than take the last reconcile step's
     */
    public Snapshot snapshot(int limit, boolean live) {
        List<ExecutionView> executions = recentExecutions(limit);
        Lease lease = lease();
        List<Long> orphaned = orphaned(executions, lease);
        Figures figures = figures(live);
        return new Snapshot(
                executions,
                lease,
                notifications.countsByStatus(),
                clock.instantOf(notifications.oldestQueued()),
                notifications.withUncertainDeliveries(),
                figures.anomalies().count(),
                figures.anomalies().first(),
                stuckAfter(),
                figures.stuck().count(),
                figures.stuck().first(),
                orphaned,
                writeFailures.count(),
                writeFailures.list(limit).stream().map(this::shown).toList(),
                figures.counted());
    }

    /** Anomalies and stuck orders, with where they come from. */
    private record Figures(RunPreview.Group anomalies, RunPreview.Group stuck, Counted counted) {}

    /**
     * Anomalies and stuck orders as the newest completed reconcile step counted them (one query on
     * the job repository), else, or with {@code live}, counted now over every processing order.
     */
    private Figures figures(boolean live) {
        if (!live) {
            Optional<JobHistory.StepContext> step =
                    history.lastCompletedStep(JOB_NAME, OrderCompletionJobConfiguration.STEP_NAME);
            Optional<StepFigures> counted = step.flatMap(s -> StepFigures.of(s.context(), properties.stuckTaskAfter()));
            if (counted.isPresent()) {
                return new Figures(
                        counted.get().anomalies(),
                        counted.get().stuck(),
                        new Counted(step.get().executionId(), step.get().end()));
            }
        }
        return new Figures(rules.anomalies(LISTED), rules.stuck(LISTED), new Counted(null, clock.now()));
    }

    /** The order codes shown of a group counted now. */
    static final int LISTED = 10;

    /**
     * What the console's overview shows of the last {@code limit} executions: anomalies and stuck
     * orders as {@link #snapshot} takes them; the other counts as the backlog gauges last read them
     * (read again only after an execution ended, or with {@code live} when older than
     * {@link BacklogGauges#REFRESH}); the executions and the lease row. Without {@code live} nothing
     * scans the shop per page. Without the gauges, {@link #snapshot}'s figures and no freshness.
     */
    public Overview overview(int limit, boolean live) {
        BacklogGauges gauges = backlog.getIfAvailable();
        BacklogGauges.Snapshot f = gauges == null ? null : live ? gauges.current() : gauges.recent();
        if (f == null) {
            Snapshot s = snapshot(limit, live);
            return new Overview(
                    s.executions(),
                    s.lease(),
                    s.notifications(),
                    s.oldestQueued(),
                    s.uncertain(),
                    new OrderGroup(s.anomalies(), s.anomalyOrderCodes()),
                    s.stuckAfter(),
                    new OrderGroup(s.stuck(), s.stuckOrderCodes()),
                    s.writeFailures(),
                    s.orphaned(),
                    s.counted(),
                    null);
        }
        // live: the stuck orders as the gauges' refresh counted them, not a second pass over the shop
        Figures figures = live
                ? new Figures(
                        rules.anomalies(LISTED),
                        new RunPreview.Group(f.stuck(), f.stuckCodes()),
                        new Counted(null, f.readAt() == null ? clock.now() : f.readAt()))
                : figures(false);
        List<ExecutionView> executions = recentExecutions(limit);
        Lease lease = lease();
        Map<String, Long> byStatus = new LinkedHashMap<>();
        for (NotificationStatus each : NotificationStatus.values()) {
            byStatus.put(each.code(), f.byStatus().getOrDefault(each.code(), 0L));
        }
        return new Overview(
                executions,
                lease,
                byStatus,
                f.oldestQueued(),
                f.uncertain(),
                OrderGroup.of(figures.anomalies()),
                stuckAfter(),
                OrderGroup.of(figures.stuck()),
                f.writeFailures(),
                orphaned(executions, lease),
                figures.counted(),
                new Freshness(
                        age(f.lastCompletedAgeSeconds()),
                        f.finishedNotCompleted(),
                        age(f.oldestQueuedAgeSeconds()),
                        f.stuck(),
                        BacklogGauges.REFRESH,
                        f.readAt() == null
                                ? null
                                : Duration.ofNanos(Math.max(0, System.nanoTime() - f.readAtNanos()))));
    }

    /** A gauge's seconds as a duration; NaN (the database has not answered yet) as null. */
    private static Duration age(double seconds) {
        return Double.isNaN(seconds) ? null : Duration.ofNanos((long) (seconds * 1_000_000_000L));
    }

    /** The newest {@code limit} executions as {@code status} shows them, newest first. */
    public List<ExecutionView> recentExecutions(int limit) {
        return history.recentExecutionsWithSteps(JOB_NAME, limit).stream()
                .map(StatusReport::shown)
                .toList();
    }

    /** Executions shown as running while no process holds the lease: their process died. */
    private static List<Long> orphaned(List<ExecutionView> executions, Lease lease) {
        return "held".equals(lease.state())
                ? List.of()
                : executions.stream()
                        .filter(e -> RUNNING.contains(e.status()))
                        .map(ExecutionView::id)
                        .toList();
    }

    /** {@code reconciler.stuck-task-after}. */
    public Duration stuckAfter() {
        return properties.stuckTaskAfter();
    }

    /** One execution as {@code status} shows it (one query for it, one for its steps). */
    public Optional<ExecutionView> execution(long id) {
        return history.executionWithSteps(JOB_NAME, id).map(StatusReport::shown);
    }

    /** The lease row as {@code status} shows it. */
    public Lease lease() {
        return jobLease.holder()
                .map(h -> new Lease(h.isHeld() ? "held" : "free", h.lockedBy(), h.lockedAt(), h.until()))
                .orElse(new Lease("free", null, null, null));
    }

    private WriteFailure shown(WriteFailures.WriteFailure f) {
        return new WriteFailure(
                f.orderId(),
                f.orderCode(),
                f.error(),
                f.failures(),
                clock.instantOf(f.firstFailedAt()),
                clock.instantOf(f.lastFailedAt()));
    }

    private static ExecutionView shown(ExecutionSummary e) {
        return new ExecutionView(
                e.id(),
                e.instanceId(),
                e.status(),
                e.exitCode(),
                exitDescription(e.exitDescription()),
                e.start(),
                e.end(),
                e.durationMs(),
                e.steps().stream()
                        .map(st -> new ExecutionView.Step(
                                st.name(),
                                st.status(),
                                st.read(),
                                st.filtered(),
                                st.written(),
                                st.skipped(),
                                st.commits(),
                                st.rollbacks(),
                                st.durationMs(),
                                rootCause(st.exitDescription())))
                        .toList());
    }

    private static final Set<String> RUNNING = Set.of("STARTING", "STARTED", "STOPPING");

    /**
     * A step's exit message is the stack trace of what failed it: its deepest cause's line (as
     * {@code run} prints it), or its first line.
     */
    static String rootCause(String trace) {
        if (trace == null || trace.isBlank()) {
            return "";
        }
        String cause = null;
        for (String line : trace.lines().toList()) {
            if (line.startsWith("Caused by: ")) {
                cause = line.substring("Caused by: ".length());
            }
        }
        return JobRunner.firstLine(cause != null ? cause : trace);
    }

    private static String exitDescription(String message) {
        return message == null || message.isBlank() ? "" : JobRunner.firstLine(message);
    }
}
