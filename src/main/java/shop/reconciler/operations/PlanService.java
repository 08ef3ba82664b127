package shop.reconciler.operations;

import java.io.PrintStream;
import java.util.Map;
import org.springframework.stereotype.Component;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.reconcile.RunPreview;

/**
 * {@code plan [--limit N] [--json]}: what a run would do now, by the reconcile step's own rules,
 * writing nothing and creating no job instance: the first thing to run against a database with
 * years of stuck orders. The send step would also try every notification already queued.
 */
@Component
class PlanService {

    /** The reconcile step's preview, and the outbox as the send step would find it. */
    record Report(RunPreview.Plan reconcile, Map<String, Long> notifications) {}

    private final RunPreview preview;
    private final NotificationStore notifications;

    PlanService(RunPreview preview, NotificationStore notifications) {
        this.preview = preview;
        this.notifications = notifications;
    }

    int execute(Arguments.Plan arguments, PrintStream out) {
        Report report = new Report(preview.plan(arguments.limit), notifications.countsByStatus());
        if (arguments.json) {
            out.println(Output.json(report));
            return ExitCodes.OK;
        }
        RunPreview.Plan plan = report.reconcile();
        out.println("a run now would read " + plan.processing() + " processing order(s) and");
        line(out, "complete", plan.complete());
        line(out, "  queue an email for", plan.queue());
        line(out, "  skip the email of (newest task past reconciler.mail.max-age)", plan.skip());
        line(out, "  fail the email of (no usable address)", plan.fail());
        line(out, "  keep the existing notification of", plan.alreadyNotified());
        line(out, "leave open (waiting on tasks)", plan.stillOpen());
        line(out, "leave as anomalies (no task at all)", plan.anomalies());
        line(out, "leave open for a status the shop does not define", plan.undefinedStatus());
        line(out, "find stuck (a task unchanged past reconciler.stuck-task-after)", plan.stuck());
        out.println("and send the " + report.notifications().getOrDefault("queued", 0L)
                + " notification(s) queued now, plus the ones it queues");
        return ExitCodes.OK;
    }

    private static void line(PrintStream out, String what, RunPreview.Group group) {
        out.println("  " + what + ": " + group.count()
                + (group.first().isEmpty()
                        ? ""
                        : " ("
                                + String.join(
                                        ", ",
                                        group.first().stream().map(Output::text).toList())
                                + (group.count() > group.first().size() ? ", ..." : "") + ")"));
    }
}
