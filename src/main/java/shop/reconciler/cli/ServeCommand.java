package shop.reconciler.cli;

import java.io.PrintStream;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import shop.reconciler.operations.ScheduledRuns;

/** {@code serve} (also: no command): the job on {@code reconciler.cron} until SIGTERM, and the management port. */
@Component
@Order(10)
@Command(
        name = "serve",
        description = "run on reconciler.cron until SIGTERM; Actuator health and Prometheus on the management port")
final class ServeCommand implements CliCommand {

    private final ScheduledRuns runs;

    ServeCommand(ScheduledRuns runs) {
        this.runs = runs;
    }

    @Override
    public boolean serves() {
        return true;
    }

    @Override
    public int run(PrintStream out, PrintStream err) throws InterruptedException {
        runs.serve();
        return ExitCodes.OK;
    }
}
