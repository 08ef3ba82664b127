package shop.reconciler.ops;

import java.io.PrintStream;
import java.util.List;
import org.springframework.stereotype.Component;

/** Runs the command of an {@link Cli.Invocation} inside the started application. */
@Component
class Commands {

    private final JobRunner jobRunner;
    private final RestartCommand restart;
    private final StatusReport status;
    private final HealthChecks checks;
    private final DemoShop demo;
    private final StopCommand stop;
    private final ServeCommand serve;

    Commands(
            JobRunner jobRunner,
            RestartCommand restart,
            StatusReport status,
            HealthChecks checks,
            DemoShop demo,
            StopCommand stop,
            ServeCommand serve) {
        this.stop = stop;
        this.serve = serve;
        this.jobRunner = jobRunner;
        this.restart = restart;
        this.status = status;
        this.checks = checks;
        this.demo = demo;
    }

    int execute(Cli.Invocation invocation, PrintStream out, PrintStream err) throws InterruptedException {
        List<String> options = invocation.options();
        return switch (invocation.command()) {
            case RUN -> jobRunner.runNewInstance(out::println);
            case RESTART -> restart.execute(options, out);
            case STATUS -> status.execute(options, out);
            case CHECK -> checks.execute(out);
            case DEMO -> demo.execute(out);
            case STOP -> stop.stop(options, out);
            case ABANDON -> stop.abandon(options, out);
            case SERVE -> serve.execute();
            default -> throw new Cli.UsageException("'" + invocation.command() + "' cannot run here");
        };
    }
}
