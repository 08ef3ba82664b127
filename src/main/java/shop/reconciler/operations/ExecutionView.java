package shop.reconciler.operations;

import java.time.Instant;
import java.util.List;

/**
 * A job execution with its steps as {@code status}, the console's overview and its execution page
 * show it: times as instants, a step's exit message cut to the line that says what failed it.
 */
public record ExecutionView(
        long id,
        long instanceId,
        String status,
        String exitCode,
        String exitDescription,
        Instant start,
        Instant end,
        Long durationMs,
        List<Step> steps) {

    /** A step execution's counts; {@code exitDescription} is empty when the step left none. */
    public record Step(
            String name,
            String status,
            long read,
            long filtered,
            long written,
            long skipped,
            long commits,
            long rollbacks,
            Long durationMs,
            String exitDescription) {}
}
