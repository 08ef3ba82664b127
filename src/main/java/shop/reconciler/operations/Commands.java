package shop.reconciler.operations;

import java.io.PrintStream;
import org.springframework.stereotype.Component;

/** Runs the command of an {@link Cli.Invocation} inside the started application. */
@Component
class Commands {

    private final JobRunner jobRunner;
    private final RestartService restart;
    private final StatusReport status;
    private final CheckService checks;
    private final DemoShop demo;
    private final StopService stop;
    private final ScheduledRuns serve;
    private final ExplainService explain;
    private final NotificationsService notifications;
    private final RequeueService requeue;
    private final PlanService plan;
    private final AuditCommand audit;
    private final RepairService repair;

    Commands(
            JobRunner jobRunner,
            RestartService restart,
            StatusReport status,
            CheckService checks,
            DemoShop demo,
            StopService stop,
            ScheduledRuns serve,
            ExplainService explain,
            NotificationsService notifications,
            RequeueService requeue,
            PlanService plan,
            AuditCommand audit,
            RepairService repair) {
        this.audit = audit;
        this.repair = repair;
        this.explain = explain;
        this.notifications = notifications;
        this.requeue = requeue;
        this.plan = plan;
        this.stop = stop;
        this.serve = serve;
        this.jobRunner = jobRunner;
        this.restart = restart;
        this.status = status;
        this.checks = checks;
        this.demo = demo;
    }

    int execute(Cli.Invocation invocation, PrintStream out, PrintStream err) throws InterruptedException {
        Object arguments = invocation.arguments();
        return switch (invocation.command()) {
            case RUN -> jobRunner.runNewInstance(Launch.by(Launch.Trigger.RUN), out::println);
            case RESTART -> restart.execute((Arguments.Restart) arguments, out);
            case STATUS -> status.execute((Arguments.Status) arguments, out);
            case CHECK -> checks.execute(out);
            case DEMO -> demo.execute(out);
            case STOP -> stop.stop((Arguments.Stop) arguments, out);
            case ABANDON -> stop.abandon((Arguments.Abandon) arguments, out);
            case SERVE -> serve.execute();
            case EXPLAIN -> explain.execute((Arguments.Explain) arguments, out, err);
            case NOTIFICATIONS -> notifications.execute((Arguments.Notifications) arguments, out);
            case REQUEUE -> requeue.execute((Arguments.Requeue) arguments, out);
            case PLAN -> plan.execute((Arguments.Plan) arguments, out);
            case AUDIT -> audit.execute((Arguments.Audit) arguments, out);
            case REPAIR -> repair.execute(out);
            default -> throw new Cli.UsageException("'" + invocation.command().word() + "' cannot run here");
        };
    }
}
