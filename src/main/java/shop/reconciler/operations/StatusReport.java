package shop.reconciler.operations;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.DatabaseClock;
import shop.reconciler.history.JobHistory;
import shop.reconciler.history.JobHistory.ExecutionSummary;
import shop.reconciler.history.JobHistory.StepSummary;
import shop.reconciler.lease.JobLease;
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
            List<ExecutionSummary> executions,
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
            List<WriteFailures.WriteFailure> writeFailureOrders,
            Counted counted) {}

    private final JobLease jobLease;
    private final JobHistory history;
    private final NotificationStore notifications;
    private final RunPreview rules;
    private final ReconcilerProperties properties;
    private final WriteFailures writeFailures;
    private final DatabaseClock clock;

    StatusReport(
            JobLease jobLease,
            JobHistory history,
            NotificationStore notifications,
            RunPreview rules,
            ReconcilerProperties properties,
            WriteFailures writeFailures,
            DatabaseClock clock) {
        this.jobLease = jobLease;
        this.history = history;
        this.notifications = notifications;
        this.rules = rules;
        this.properties = properties;
        this.writeFailures = writeFailures;
        this.clock = clock;
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
        List<ExecutionSummary> executions = recentExecutions(limit);
        Lease lease = lease();
        List<Long> orphaned = orphaned(executions, lease);
        Figures figures = figures(live);
        RunPreview.Group anomalies = figures.anomalies();
        RunPreview.Group stuck = figures.stuck();
        return new Snapshot(
                executions,
                lease,
                notifications.countsByStatus(),
                clock.instantOf(notifications.oldestQueued()),
                notifications.withUncertainDeliveries(),
                anomalies.count(),
                anomalies.first(),
                stuckAfter(),
                stuck.count(),
                stuck.first(),
                orphaned,
                writeFailures.count(),
                writeFailures.list(limit),
                figures.counted());
    }

    /** Anomalies and stuck orders, with where they come from. */
    public record Figures(RunPreview.Group anomalies, RunPreview.Group stuck, Counted counted) {}

    /**
     * Anomalies and stuck orders as the newest completed reconcile step counted them (one query on
     * the job repository), else, or with {@code live}, counted now over every processing order.
     */
    public Figures figures(boolean live) {
        if (!live) {
            Optional<JobHistory.StepContext> step = history.lastCompletedStep(
                    OrderCompletionJobConfiguration.JOB_NAME, OrderCompletionJobConfiguration.STEP_NAME);
            Optional<StepFigures> counted = step.flatMap(s -> StepFigures.of(s.context(), properties.stuckTaskAfter()));
            if (counted.isPresent()) {
                return new Figures(
                        counted.get().anomalies(),
                        counted.get().stuck(),
                        new Counted(step.get().executionId(), step.get().end()));
            }
        }
        RunPreview.Group anomalies = rules.anomalies(LISTED);
        RunPreview.Group stuck = rules.stuck(LISTED);
        return new Figures(anomalies, stuck, new Counted(null, clock.now()));
    }

    /** The order codes shown of a group counted now. */
    static final int LISTED = 10;

    /** The newest {@code limit} executions as {@code status} shows them, newest first. */
    public List<ExecutionSummary> recentExecutions(int limit) {
        return history.recentExecutionsWithSteps(OrderCompletionJobConfiguration.JOB_NAME, limit).stream()
                .map(StatusReport::shown)
                .toList();
    }

    /** Executions shown as running while no process holds the lease: their process died. */
    public static List<Long> orphaned(List<ExecutionSummary> executions, Lease lease) {
        return "held".equals(lease.state())
                ? List.of()
                : executions.stream()
                        .filter(e -> RUNNING.contains(e.status()))
                        .map(ExecutionSummary::id)
                        .toList();
    }

    /** {@code reconciler.stuck-task-after}. */
    public Duration stuckAfter() {
        return properties.stuckTaskAfter();
    }

    /** One execution as {@code status} shows it (one query for it, one for its steps). */
    public Optional<ExecutionSummary> execution(long id) {
        return history.executionWithSteps(OrderCompletionJobConfiguration.JOB_NAME, id)
                .map(StatusReport::shown);
    }

    /** The lease row as {@code status} shows it. */
    public Lease lease() {
        return jobLease.holder()
                .map(h -> new Lease(h.isHeld() ? "held" : "free", h.lockedBy(), h.lockedAt(), h.until()))
                .orElse(new Lease("free", null, null, null));
    }

    private static ExecutionSummary shown(ExecutionSummary e) {
        return new ExecutionSummary(
                e.id(),
                e.instanceId(),
                e.status(),
                e.exitCode(),
                exitDescription(e.exitDescription()),
                e.start(),
                e.end(),
                e.durationMs(),
                e.steps().stream()
                        .map(st -> new StepSummary(
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
