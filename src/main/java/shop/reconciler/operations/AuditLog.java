package shop.reconciler.operations;

import java.util.List;
import org.springframework.stereotype.Component;
import shop.reconciler.audit.AuditEntry;
import shop.reconciler.audit.AuditTrail;

/**
 * {@code audit [--limit N] [--json]} and the console's audit page: the operator actions recorded,
 * newest first, read for the renderers, which touch no table themselves.
 */
@Component
public class AuditLog {

    private final AuditTrail audit;

    AuditLog(AuditTrail audit) {
        this.audit = audit;
    }

    /** The newest {@code limit} entries, newest first. */
    public List<AuditEntry> recent(int limit) {
        return audit.recent(limit);
    }
}
