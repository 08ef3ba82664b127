package shop.reconciler.reconcile;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The task statuses the shop defines; any other value in {@code download_tasks.status} is unknown. */
final class ShopStatuses {

    static final List<String> TASK_STATUSES = List.of("pending", "processing", "enrolled", "completed", "failed");

    private ShopStatuses() {}

    /** The shop's statuses and the configured terminal ones: every status the reconciler knows. */
    static List<String> known(List<String> terminal) {
        Set<String> known = new LinkedHashSet<>(TASK_STATUSES);
        known.addAll(terminal);
        return List.copyOf(known);
    }
}
