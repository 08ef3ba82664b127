package shop.reconciler.cli;

import java.io.PrintStream;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import shop.reconciler.operations.OrderGroup;
import shop.reconciler.operations.PlanService;

/** {@code plan [--limit N] [--json]}: what a run would do now ({@link PlanService}), writing nothing. */
@Component
@Order(120)
@Command(
        name = "plan",
        description = "what a run would do now: orders it would complete, emails, anomalies, stuck orders;"
                + " writes nothing (0)")
final class PlanCommand extends ReportCommand<PlanService.Report> {

    @Option(names = "--limit", paramLabel = "N", description = "order codes listed per group, 1 to 1000 (default 10)")
    int limit = 10;

    private final PlanService plans;

    PlanCommand(PlanService plans) {
        this.plans = plans;
    }

    @Override
    public void check() {
        Arguments.limit(limit);
    }

    @Override
    PlanService.Report answer(PrintStream err) {
        return plans.plan(limit);
    }

    @Override
    void print(PlanService.Report report, PrintStream out) {
        PlanService.Plan plan = report.reconcile();
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
    }

    private static void line(PrintStream out, String what, OrderGroup group) {
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
