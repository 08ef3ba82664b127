package shop.reconciler.cli;

import java.io.PrintStream;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import shop.reconciler.operations.JobRunner;
import shop.reconciler.operations.Launch;

/** {@code run}: one new job instance now, under the lease. */
@Component
@Order(20)
@Command(
        name = "run",
        description = "one job run now, under the lease (0 completed, 1 failed, 75 lease held elsewhere)")
final class RunCommand implements CliCommand {

    private final JobRunner jobRunner;

    RunCommand(JobRunner jobRunner) {
        this.jobRunner = jobRunner;
    }

    @Override
    public boolean pushesMetrics() {
        return true;
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        return ExitCodes.of(jobRunner.runNewInstance(Launch.by(Launch.Trigger.RUN), out::println));
    }
}
