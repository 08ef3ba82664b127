package shop.reconciler.cli;

import java.io.PrintStream;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import shop.reconciler.audit.Actor;
import shop.reconciler.operations.ActionOutcome;
import shop.reconciler.operations.StopService;

/**
 * What {@code stop} and {@code abandon} share: one execution id, a reason for the audit trail, one
 * of {@link StopService}'s operations, and its outcome printed as an exit code.
 */
abstract class ExecutionControlCommand implements CliCommand {

    @Parameters(paramLabel = "<executionId>", description = "the execution's id (status lists them)")
    String executionId;

    @Option(names = "--reason", paramLabel = "TEXT", description = Arguments.REASON_HELP)
    String reason;

    private final StopService executions;

    ExecutionControlCommand(StopService executions) {
        this.executions = executions;
    }

    /** The operation, on the execution with this id. */
    abstract ActionOutcome apply(StopService executions, long id, Actor who);

    @Override
    public void check() {
        Arguments.executionId(executionId);
        Arguments.checkReason(reason);
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        return ExitCodes.print(apply(executions, Arguments.executionId(executionId), Actor.cli(reason)), out);
    }
}
