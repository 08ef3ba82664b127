package shop.reconciler.operations;

import java.util.List;
import shop.reconciler.reconcile.RunPreview;

/** How many orders fall in a group (stuck, anomalies, to complete...), and the codes of the first by id. */
public record OrderGroup(long count, List<String> first) {

    static OrderGroup of(RunPreview.Group group) {
        return new OrderGroup(group.count(), group.first());
    }
}
