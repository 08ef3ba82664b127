package shop.reconciler.cli;

import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import shop.reconciler.operations.ExecutionView;
import shop.reconciler.operations.StatusReport;
import shop.reconciler.operations.StatusReport.Snapshot;
import shop.reconciler.text.Durations;

/** {@code status [--limit N] [--json] [--live]}: {@link StatusReport}'s snapshot as text or JSON. */
@Component
@Order(60)
@Command(
        name = "status",
        description =
                "recent executions, lease, notifications, anomalies and stuck orders (as the last run counted them)")
final class StatusCommand extends ReportCommand<Snapshot> {

    @Option(names = "--limit", paramLabel = "N", description = "executions to show, 1 to 1000 (default 10)")
    int limit = 10;

    @Option(
            names = "--live",
            description = "count anomalies and stuck orders now (a probe per processing order) instead of"
                    + " showing the last reconcile step's counts")
    boolean live;

    private final StatusReport status;

    StatusCommand(StatusReport status) {
        this.status = status;
    }

    @Override
    public void check() {
        Arguments.limit(limit);
    }

    @Override
    Snapshot answer(PrintStream err) {
        return status.snapshot(limit, live);
    }

    @Override
    void print(Snapshot s, PrintStream out) {
        out.printf(
                "%-10s %-9s %-10s %-20s %10s  %s%n",
                "execution", "instance", "status", "started (UTC)", "duration", "exit");
        for (ExecutionView e : s.executions()) {
            out.printf(
                    "%-10d %-9d %-10s %-20s %10s  %s%n",
                    e.id(),
                    e.instanceId(),
                    e.status(),
                    e.start() == null ? "-" : WHEN.format(e.start()),
                    e.durationMs() == null ? "-" : e.durationMs() + " ms",
                    Output.text(e.exitCode() + ("COMPLETED".equals(e.exitCode()) ? "" : " " + e.exitDescription())));
            for (ExecutionView.Step step : e.steps()) {
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
                        StatusReport.SEND_STEP_NAME.equals(step.name())
                                        && step.exitDescription() != null
                                        && !step.exitDescription().isBlank()
                                ? "; " + Output.text(step.exitDescription())
                                : "");
            }
        }
        if (s.executions().isEmpty()) {
            out.println("(no execution of " + StatusReport.JOB_NAME + " yet)");
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
        out.println(counted(s.counted()));
        out.println("anomalies (processing orders without tasks): " + s.anomalies() + examples(s.anomalyOrderCodes()));
        out.println("stuck (processing orders waiting on a task unchanged for more than "
                + Durations.format(s.stuckAfter()) + "): " + s.stuck() + examples(s.stuckOrderCodes()));
        out.println("write failures (processing orders the database refused to complete): " + s.writeFailures());
        for (StatusReport.WriteFailure f : s.writeFailureOrders()) {
            out.println("    " + Output.text(f.orderCode()) + " (id " + f.orderId() + "): " + Output.text(f.error())
                    + "; failed " + f.failures() + " time(s) since " + f.firstFailedAt() + ", last "
                    + f.lastFailedAt());
        }
    }

    /** Where the anomaly and stuck counts below come from, and as of when. */
    private static String counted(StatusReport.Counted counted) {
        return counted.live()
                ? "anomalies and stuck orders, counted now (" + WHEN.format(counted.asOf()) + "):"
                : "anomalies and stuck orders as counted by execution " + counted.execution()
                        + "'s reconcile step, ended "
                        + (counted.asOf() == null ? "-" : WHEN.format(counted.asOf()))
                        + " (status --live counts now):";
    }

    private static String examples(List<String> codes) {
        return codes.isEmpty()
                ? ""
                : " e.g. " + String.join(", ", codes.stream().map(Output::text).toList());
    }

    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssX").withZone(ZoneOffset.UTC);
}
