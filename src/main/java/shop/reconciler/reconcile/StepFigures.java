package shop.reconciler.reconcile;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import shop.reconciler.progress.StepCounters;

/**
 * The groups a reconcile step counted while it read every processing order, as its execution
 * context keeps them: the anomalies (no task) and the stuck orders (waiting on a task unchanged for
 * longer than {@code reconciler.stuck-task-after}), each with its first codes. {@code status} and
 * the console show them instead of counting every processing order again, saying which execution
 * counted them and when.
 *
 * @param anomalies processing orders without any task, as the step read them
 * @param stuck open orders waiting on a task unchanged for longer than stuck-task-after
 */
public record StepFigures(RunPreview.Group anomalies, RunPreview.Group stuck) {

    /**
     * The figures of a step's context; empty when that step did not count stuck orders (written by
     * a version before it did), or counted them by another stuck-task-after than {@code stuckAfter}.
     */
    public static Optional<StepFigures> of(Map<String, Object> stepContext, Duration stuckAfter) {
        ExecutionContext context = new ExecutionContext(stepContext);
        if (!context.containsKey(ReconcileCounters.STUCK_AFTER_SECONDS)
                || context.getLong(ReconcileCounters.STUCK_AFTER_SECONDS) != stuckAfter.toSeconds()) {
            return Optional.empty();
        }
        return Optional.of(
                new StepFigures(group(context, ReconcileCounters.ANOMALIES), group(context, ReconcileCounters.STUCK)));
    }

    private static RunPreview.Group group(ExecutionContext context, String counter) {
        return new RunPreview.Group(StepCounters.get(context, counter), OrderConditions.examples(context, counter));
    }
}
