package shop.reconciler.cli;

import java.io.PrintStream;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import shop.reconciler.operations.RestartService;

/** {@code restart <executionId>} and {@code restart --last-failed} ({@link RestartService}). */
@Component
@Order(30)
@Command(name = "restart", description = "restart a failed, stopped or interrupted execution from where it stopped")
final class RestartCommand implements CliCommand {

    @Parameters(arity = "0..1", paramLabel = "<executionId>", description = "the execution to restart")
    String executionId;

    @Option(names = "--last-failed", description = "the newest unfinished execution of the job")
    boolean lastFailed;

    @Mixin
    ReasonOption reason = new ReasonOption();

    private final RestartService restarts;

    RestartCommand(RestartService restarts) {
        this.restarts = restarts;
    }

    /** The id given, or null for {@code --last-failed}. */
    Long id() {
        return lastFailed ? null : Arguments.executionId(executionId);
    }

    @Override
    public void check() {
        if (lastFailed == (executionId != null)) {
            throw new Cli.UsageException("usage: restart <executionId> | restart --last-failed");
        }
        id();
        reason.check();
    }

    @Override
    public boolean pushesMetrics() {
        return true;
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        return ExitCodes.print(restarts.restart(id(), reason.actor(), out::println), out);
    }
}
