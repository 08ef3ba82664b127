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
import shop.reconciler.reconcile.WriteFailures;

/**
 * {@code status [--limit N] [--json]}: what an operator asks first. It reads the database only
 * (job repository, lease row, outbox, shop), so it answers from any node, also during a run.
 */
@Component
public class StatusReport {

    /**
     * The lease row: {@code held} or {@code free}, by whom, since and until when (UTC); a lease never
     * taken has neither.
     */
    public record Lease(String state, String lockedBy, Instant lockedAt, Instant until) {}

    /**
     * @param uncertain notifications with at least one delivery of unknown outcome
     * @param stuckAfter {@code reconciler.stuck-task-after}
     * @param stuck processing orders waiting on a task unchanged for longer than that
     * @param stuckOrderCodes the first ten of them
     * @param orphaned executions shown as running while no process holds the lease: their process
     *     died, and the next run recovers and restarts them
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
            List<WriteFailures.WriteFailure> writeFailureOrders) {}

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

    /** What {@code status} prints, as data: the CLI and the console both render it. */
    public Snapshot snapshot(int limit) {
        List<ExecutionSummary> executions = recentExecutions(limit);
        Lease lease = lease();
        List<Long> orphaned = orphaned(executions, lease);
        RunPreview.Group anomalies = rules.anomalies(10);
        RunPreview.Group stuck = rules.stuck(10);
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
                writeFailures.list(limit));
    }

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
