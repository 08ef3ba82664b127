package shop.reconciler.cli;

import java.io.PrintStream;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import shop.reconciler.operations.RepairService;

/** {@code repair}: clears a failed migration from the schema history ({@link RepairService}); the start does not migrate. */
@Component
@Order(140)
@Command(
        name = RepairService.COMMAND,
        description = "clear a failed migration from the schema history, so that the next start applies it"
                + " again (0 repaired or nothing to repair, 1 failed)")
final class RepairCommand implements CliCommand {

    private final RepairService repair;

    RepairCommand(RepairService repair) {
        this.repair = repair;
    }

    @Override
    public boolean migrates() {
        return false;
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        out.println(repair.repair());
        return ExitCodes.OK;
    }
}
