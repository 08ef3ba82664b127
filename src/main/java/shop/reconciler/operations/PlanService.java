package shop.reconciler.operations;

import java.util.Map;
import org.springframework.stereotype.Component;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.reconcile.RunPreview;

/**
 * {@code plan [--limit N] [--json]}: what a run would do now, by the reconcile step's own rules,
 * writing nothing and creating no job instance: the first thing to run against a database with
 * years of stuck orders. The send step would also try every notification already queued.
 */
@Component
public class PlanService {

    /** The reconcile step's preview, and the outbox as the send step would find it. */
    public record Report(RunPreview.Plan reconcile, Map<String, Long> notifications) {}

    private final RunPreview preview;
    private final NotificationStore notifications;

    PlanService(RunPreview preview, NotificationStore notifications) {
        this.preview = preview;
        this.notifications = notifications;
    }

    /** What a run would do now, listing at most {@code limit} order codes per group. */
    public Report plan(int limit) {
        return new Report(preview.plan(limit), notifications.countsByStatus());
    }
}
