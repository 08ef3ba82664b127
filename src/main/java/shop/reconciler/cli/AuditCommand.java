package shop.reconciler.cli;

import java.io.PrintStream;
import java.util.List;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import shop.reconciler.audit.AuditEntry;
import shop.reconciler.operations.AuditLog;

/**
 * {@code audit [--limit N] [--json]}: the operator actions recorded, newest first, one line each:
 * when (UTC, the database's clock), through what and who, the action and what it named, the line
 * the operator was shown, and their reason. Exit 0, also when none is recorded.
 */
@Component
@Order(130)
@Command(name = "audit", description = "the operator actions recorded, newest first: who, what, when, outcome (0)")
final class AuditCommand extends ReportCommand<List<AuditEntry>> {

    @Option(names = "--limit", paramLabel = "N", description = "rows to show, 1 to 1000 (default 50)")
    int limit = 50;

    private final AuditLog audit;

    AuditCommand(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void check() {
        Arguments.limit(limit);
    }

    @Override
    List<AuditEntry> answer(PrintStream err) {
        return audit.recent(limit);
    }

    @Override
    void print(List<AuditEntry> entries, PrintStream out) {
        if (entries.isEmpty()) {
            out.println("no operator action recorded");
        }
        for (AuditEntry e : entries) {
            out.println(e.actedAt() + " " + e.channel() + " " + Output.text(e.actor()) + " " + e.action() + " "
                    + Output.text(e.target()) + ": " + Output.text(e.outcome())
                    + (e.reason() == null ? "" : " (reason: " + Output.text(e.reason()) + ")"));
        }
    }
}
