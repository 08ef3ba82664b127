package shop.reconciler.reconcile;

import java.util.ArrayList;
import java.util.List;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import shop.reconciler.progress.StepCounters;

/**
 * What the writer did with (part of) a chunk: the orders it completed, the notifications it
 * queued, and the codes of the orders under each condition that is reported. Added to the step's
 * counters only when the whole chunk's write has succeeded, so that a chunk written again after a
 * lock conflict is not counted twice.
 */
final class ChunkOutcome {

    int completed;
    int queued;
    int skipped;
    final List<String> changedBeforeWrite = new ArrayList<>();
    final List<String> noRecipient = new ArrayList<>();
    final List<String> alreadyNotified = new ArrayList<>();
    final List<String> writeFailures = new ArrayList<>();

    void add(ChunkOutcome part) {
        completed += part.completed;
        queued += part.queued;
        skipped += part.skipped;
        changedBeforeWrite.addAll(part.changedBeforeWrite);
        noRecipient.addAll(part.noRecipient);
        alreadyNotified.addAll(part.alreadyNotified);
        writeFailures.addAll(part.writeFailures);
    }

    void addTo(ExecutionContext context) {
        StepCounters.add(context, ReconcileCounters.COMPLETED, completed);
        StepCounters.add(context, ReconcileCounters.QUEUED, queued);
        StepCounters.add(context, ReconcileCounters.SKIPPED, skipped);
        OrderConditions.add(context, ReconcileCounters.CHANGED_BEFORE_WRITE, changedBeforeWrite);
        OrderConditions.add(context, ReconcileCounters.NO_RECIPIENT, noRecipient);
        OrderConditions.add(context, ReconcileCounters.ALREADY_NOTIFIED, alreadyNotified);
        OrderConditions.add(context, ReconcileCounters.WRITE_FAILURES, writeFailures);
    }
}
