package shop.reconciler.cli;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import shop.reconciler.operations.ExecutionAction;
import shop.reconciler.operations.StopService;

/** {@code abandon <executionId>}: Spring Batch's operation of that name ({@link StopService}). */
@Component
@Order(50)
@Command(name = "abandon", description = "mark a stopped or failed execution as never to be restarted")
final class AbandonCommand extends ExecutionControlCommand {

    AbandonCommand(StopService executions) {
        super(executions, ExecutionAction.ABANDON);
    }
}
