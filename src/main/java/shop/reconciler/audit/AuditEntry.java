package shop.reconciler.audit;

import java.time.Instant;

/**
 * One recorded operator action, as {@code audit} and the console list it: when (UTC, the
 * database's clock), through what ({@code channel}: cli or console) and who, the action and what
 * it named, the line the operator was shown, and their reason. A value, like {@link Actor}: the
 * renderers show it as it is.
 */
public record AuditEntry(
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
