package shop.reconciler.operations;

import java.io.PrintStream;
import java.util.List;
import org.springframework.stereotype.Component;
import shop.reconciler.audit.AuditTrail;

/**
 * {@code audit [--limit N] [--json]}: the operator actions recorded, newest first, one line each:
 * when (UTC, the database's clock), through what and who, the action and what it named, the line
 * the operator was shown, and their reason. Exit 0, also when none is recorded.
 */
@Component
class AuditCommand {

    private final AuditTrail audit;

    AuditCommand(AuditTrail audit) {
        this.audit = audit;
    }

    int execute(Arguments.Audit arguments, PrintStream out) {
        List<AuditTrail.Entry> entries = audit.recent(arguments.limit);
        if (arguments.json) {
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
