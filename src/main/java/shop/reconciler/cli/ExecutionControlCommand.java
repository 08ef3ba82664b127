package shop.reconciler.cli;

import java.io.PrintStream;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import shop.reconciler.operations.ExecutionAction;
import shop.reconciler.operations.StopService;

/**
 * What {@code stop} and {@code abandon} share: one execution id, a reason for the audit trail, the
 * {@link StopService} operation of that name, and its outcome printed as an exit code.
 */
abstract class ExecutionControlCommand implements CliCommand {

    @Parameters(paramLabel = "<executionId>", description = "the execution's id (status lists them)")
    String executionId;

    @Mixin
    ReasonOption reason = new ReasonOption();

    private final StopService executions;
    private final ExecutionAction action;

    ExecutionControlCommand(StopService executions, ExecutionAction action) {
        this.executions = executions;
        this.action = action;
    }

    @Override
    public void check() {
        Arguments.executionId(executionId);
        reason.check();
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        return ExitCodes.print(executions.apply(action, Arguments.executionId(executionId), reason.actor()), out);
    }
}
