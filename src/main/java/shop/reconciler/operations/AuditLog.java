package shop.reconciler.operations;

import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Component;
import shop.reconciler.audit.AuditTrail;

/** {@code audit [--limit N] [--json]} and the console's audit page: the operator actions recorded, newest first. */
@Component
public class AuditLog {

    /**
     * One recorded action: when (UTC, the database's clock), through what ({@code channel}) and who,
     * the action and what it named, the line the operator was shown, and their reason.
     */
    public record Entry(
            long id,
            Instant actedAt,
            String actor,
            String channel,
            String action,
            String target,
            Long executionId,
            Long affected,
            String outcome,
            String reason) {}

    private final AuditTrail audit;

    AuditLog(AuditTrail audit) {
        this.audit = audit;
    }

    /** The newest {@code limit} entries, newest first. */
    public List<Entry> recent(int limit) {
        return audit.recent(limit).stream()
                .map(e -> new Entry(
                        e.id(),
                        e.actedAt(),
                        e.actor(),
                        e.channel(),
                        e.action(),
                        e.target(),
                        e.executionId(),
                        e.affected(),
                        e.outcome(),
                        e.reason()))
                .toList();
    }
}
