package shop.reconciler.cli;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import shop.reconciler.operations.ExecutionAction;
import shop.reconciler.operations.StopService;

/** {@code stop <executionId>}: Spring Batch's operation of that name ({@link StopService}). */
@Component
@Order(40)
@Command(name = "stop", description = "stop a running execution at its next chunk boundary (from any node)")
final class StopCommand extends ExecutionControlCommand {

    StopCommand(StopService executions) {
        super(executions, ExecutionAction.STOP);
    }
}
