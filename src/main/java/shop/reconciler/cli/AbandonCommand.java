package shop.reconciler.cli;

import java.io.PrintStream;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import shop.reconciler.audit.Actor;
import shop.reconciler.operations.StopService;

/** {@code abandon <executionId>}: Spring Batch's operation of that name ({@link StopService}). */
@Component
@Order(50)
@Command(name = "abandon", description = "mark a stopped or failed execution as never to be restarted")
final class AbandonCommand implements CliCommand {

    @Parameters(paramLabel = "<executionId>", description = "the execution's id (status lists them)")
    String executionId;

    @Option(names = "--reason", paramLabel = "TEXT", description = Arguments.REASON_HELP)
    String reason;

    private final StopService executions;

    AbandonCommand(StopService executions) {
        this.executions = executions;
    }

    @Override
    public void check() {
        Arguments.executionId(executionId);
        Arguments.checkReason(reason);
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        return ExitCodes.print(executions.abandon(Arguments.executionId(executionId), Actor.cli(reason)), out);
    }
}
