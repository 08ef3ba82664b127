package shop.reconciler.progress;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Counts a step keeps in its execution context ({@code "reconcile.completed"}, ...): saved with
 * each chunk's commit, so they survive a restart and can be read back from the job repository.
 */
public final class StepCounters {

    private StepCounters() {}

    public static void add(ExecutionContext context, String key, long delta) {
        if (delta != 0) {
            context.putLong(key, context.getLong(key, 0L) + delta);
        }
    }

    public static long get(ExecutionContext context, String key) {
        return context.getLong(key, 0L);
    }

    /** The given counters by their short name (the part after the first dot). */
    public static Map<String, Long> all(ExecutionContext context, List<String> keys) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String key : keys) {
            values.put(key.substring(key.indexOf('.') + 1), get(context, key));
        }
        return values;
    }
}
