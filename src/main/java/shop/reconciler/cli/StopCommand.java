package shop.reconciler.cli;

import java.io.PrintStream;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import shop.reconciler.audit.Actor;
import shop.reconciler.operations.StopService;

/** {@code stop <executionId>}: Spring Batch's operation of that name ({@link StopService}). */
@Component
@Order(40)
@Command(name = "stop", description = "stop a running execution at its next chunk boundary (from any node)")
final class StopCommand implements CliCommand {

    @Parameters(paramLabel = "<executionId>", description = "the execution's id (status lists them)")
    String executionId;

    @Option(names = "--reason", paramLabel = "TEXT", description = Arguments.REASON_HELP)
    String reason;

    private final StopService executions;

    StopCommand(StopService executions) {
        this.executions = executions;
    }

    @Override
    public void check() {
        Arguments.executionId(executionId);
        Arguments.checkReason(reason);
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        return ExitCodes.print(executions.stop(Arguments.executionId(executionId), Actor.cli(reason)), out);
    }
}
