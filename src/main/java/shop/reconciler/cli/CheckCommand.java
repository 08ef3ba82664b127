package shop.reconciler.cli;

import java.io.PrintStream;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import shop.reconciler.operations.CheckService;
import shop.reconciler.operations.JobRunner;

/**
 * {@code check}: one line per check, {@code PASS} or {@code FAIL} with what to do ({@link
 * CheckService}). It changes nothing: the start does not migrate for it, and a database that
 * cannot be reached is its first {@code FAIL}, not a start-up error.
 */
@Component
@Order(70)
@Command(name = "check", description = "database, schema, indexes, SMTP; one line each (0 all pass, 1 otherwise)")
final class CheckCommand implements CliCommand {

    private final CheckService checks;

    CheckCommand(CheckService checks) {
        this.checks = checks;
    }

    @Override
    public boolean migrates() {
        return false;
    }

    @Override
    public Optional<Integer> startFailed(RuntimeException e, PrintStream out) {
        out.println("FAIL database: " + JobRunner.firstLine(JobRunner.rootMessage(e)));
        return Optional.of(ExitCodes.FAILED);
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        CheckService.Report report = checks.check();
        for (CheckService.Finding finding : report.findings()) {
            out.println(finding.result() + " " + finding.text());
        }
        return report.passed() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
