package shop.reconciler.operations;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;
import shop.reconciler.ReconcilerProperties;
import shop.reconciler.db.DatabaseClock;
import shop.reconciler.history.JobHistory;
import shop.reconciler.history.JobHistory.ExecutionSummary;
import shop.reconciler.history.JobHistory.StepSummary;
import shop.reconciler.lease.JobLease;
import shop.reconciler.mail.SendStepConfiguration;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.reconcile.OrderCompletionJobConfiguration;
import shop.reconciler.reconcile.RunPreview;
import shop.reconciler.reconcile.WriteFailures;
import shop.reconciler.text.Durations;

/**
 * {@code status [--limit N] [--json]}: what an operator asks first. It reads the database only
 * (job repository, lease row, outbox, shop), so it answers from any node, also during a run.
 */
@Component
public class StatusReport {

    public record Lease(String state, String lockedBy, String lockedAt, String until) {}

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
            String stuckAfter,
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

    int execute(Arguments.Status arguments, PrintStream out) {
        Snapshot snapshot = snapshot(arguments.limit);
        if (arguments.json) {
            out.println(Output.json(snapshot));
        } else {
            print(snapshot, out);
        }
        return ExitCodes.OK;
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

    /** {@code reconciler.stuck-task-after}, as shown. */
    public String stuckAfter() {
        return Durations.format(properties.stuckTaskAfter());
    }

    /** One execution as {@code status} shows it (one query for it, one for its steps). */
    public Optional<ExecutionSummary> execution(long id) {
        return history.executionWithSteps(OrderCompletionJobConfiguration.JOB_NAME, id)
                .map(StatusReport::shown);
    }

    /** The lease row as {@code status} shows it. */
    public Lease lease() {
        return jobLease.holder()
                .map(h -> new Lease(
                        h.isHeld() ? "held" : "free",
                        h.lockedBy(),
                        String.valueOf(h.lockedAt()),
                        String.valueOf(h.until())))
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

    private static void print(Snapshot s, PrintStream out) {
        out.printf(
                "%-10s %-9s %-10s %-20s %10s  %s%n",
                "execution", "instance", "status", "started (UTC)", "duration", "exit");
        for (ExecutionSummary e : s.executions()) {
            out.printf(
                    "%-10d %-9d %-10s %-20s %10s  %s%n",
                    e.id(),
                    e.instanceId(),
                    e.status(),
                    e.start() == null ? "-" : WHEN.format(e.start()),
                    e.durationMs() == null ? "-" : e.durationMs() + " ms",
                    Output.text(e.exitCode() + ("COMPLETED".equals(e.exitCode()) ? "" : " " + e.exitDescription())));
            for (StepSummary step : e.steps()) {
                out.printf(
                        "    %-10s %-10s read %d, filtered %d, written %d, skipped %d, commits %d, rollbacks %d%s%s%n",
                        Output.text(step.name()),
                        step.status(),
                        step.read(),
                        step.filtered(),
                        step.written(),
                        step.skipped(),
                        step.commits(),
                        step.rollbacks(),
                        step.durationMs() == null ? "" : ", " + step.durationMs() + " ms",
                        // the send step's counts kept apart (written: accepted by the server)
                        SendStepConfiguration.STEP_NAME.equals(step.name())
                                        && step.exitDescription() != null
                                        && !step.exitDescription().isBlank()
                                ? "; " + Output.text(step.exitDescription())
                                : "");
            }
        }
        if (s.executions().isEmpty()) {
            out.println("(no execution of " + OrderCompletionJobConfiguration.JOB_NAME + " yet)");
        }
        for (long id : s.orphaned()) {
            out.println("execution " + id + " shows as running but no process holds the lease: its process died;"
                    + " the next run recovers and restarts it (or now: restart " + id + ")");
        }
        out.println();
        out.println("lease: " + s.lease().state()
                + (s.lease().lockedBy() == null
                        ? ""
                        : " (by " + Output.text(s.lease().lockedBy()) + ", until "
                                + s.lease().until() + " UTC)"));
        out.println("notifications: " + s.notifications()
                + (s.oldestQueued() == null ? "" : ", oldest queued since " + s.oldestQueued()));
        if (s.uncertain() > 0) {
            out.println("notifications with a delivery of unknown outcome (the server may have the message): "
                    + s.uncertain());
        }
        out.println("anomalies (processing orders without tasks): " + s.anomalies() + examples(s.anomalyOrderCodes()));
        out.println("stuck (processing orders waiting on a task unchanged for more than " + s.stuckAfter() + "): "
                + s.stuck() + examples(s.stuckOrderCodes()));
        out.println("write failures (processing orders the database refused to complete): " + s.writeFailures());
        s.writeFailureOrders().forEach(f -> out.println("    " + Output.text(f.describe())));
    }

    private static String examples(List<String> codes) {
        return codes.isEmpty()
                ? ""
                : " e.g. " + String.join(", ", codes.stream().map(Output::text).toList());
    }

    private static final Set<String> RUNNING = Set.of("STARTING", "STARTED", "STOPPING");

    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssX").withZone(ZoneOffset.UTC);

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
