package shop.reconciler.cli;

import java.io.PrintStream;
import java.util.List;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import shop.reconciler.audit.AuditTrail;

/**
 * {@code audit [--limit N] [--json]}: the operator actions recorded, newest first, one line each:
 * when (UTC, the database's clock), through what and who, the action and what it named, the line
 * the operator was shown, and their reason. Exit 0, also when none is recorded.
 */
@Component
@Order(130)
@Command(name = "audit", description = "the operator actions recorded, newest first: who, what, when, outcome (0)")
final class AuditCommand implements CliCommand {

    @Option(names = "--limit", paramLabel = "N", description = "rows to show, 1 to 1000 (default 50)")
    int limit = 50;

    @Option(names = "--json", description = "JSON instead of text")
    boolean json;

    private final AuditTrail audit;

    AuditCommand(AuditTrail audit) {
        this.audit = audit;
    }

    @Override
    public void check() {
        Arguments.limit(limit);
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        List<AuditTrail.Entry> entries = audit.recent(limit);
        if (json) {
            out.println(Output.json(entries));
            return ExitCodes.OK;
        }
        if (entries.isEmpty()) {
            out.println("no operator action recorded");
        }
        for (AuditTrail.Entry e : entries) {
            out.println(e.actedAt() + " " + e.channel() + " " + Output.text(e.actor()) + " " + e.action() + " "
                    + Output.text(e.target()) + ": " + Output.text(e.outcome())
                    + (e.reason() == null ? "" : " (reason: " + Output.text(e.reason()) + ")"));
        }
        return ExitCodes.OK;
    }
}
