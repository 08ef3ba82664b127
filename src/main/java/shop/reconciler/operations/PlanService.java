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
    public record Report(Plan reconcile, Map<String, Long> notifications) {}

    /**
     * @param processing processing orders read
     * @param complete orders the run would complete
     * @param queue of those, the ones whose email it would queue
     * @param skip of those, the ones completed without email (newest task past max-age)
     * @param fail of those, the ones completed without email for want of a usable address
     * @param alreadyNotified of those, the ones that already have a notification (kept as it is)
     * @param stillOpen orders waiting on a task that is not terminal
     * @param anomalies processing orders without any task
     * @param undefinedStatus orders with a task status the shop does not define
     * @param stuck orders waiting on a task unchanged for longer than stuck-task-after
     */
    public record Plan(
            long processing,
            OrderGroup complete,
            OrderGroup queue,
            OrderGroup skip,
            OrderGroup fail,
            OrderGroup alreadyNotified,
            OrderGroup stillOpen,
            OrderGroup anomalies,
            OrderGroup undefinedStatus,
            OrderGroup stuck) {

        static Plan of(RunPreview.Plan p) {
            return new Plan(
                    p.processing(),
                    OrderGroup.of(p.complete()),
                    OrderGroup.of(p.queue()),
                    OrderGroup.of(p.skip()),
                    OrderGroup.of(p.fail()),
                    OrderGroup.of(p.alreadyNotified()),
                    OrderGroup.of(p.stillOpen()),
                    OrderGroup.of(p.anomalies()),
                    OrderGroup.of(p.undefinedStatus()),
                    OrderGroup.of(p.stuck()));
        }
    }

    private final RunPreview preview;
    private final NotificationStore notifications;

    PlanService(RunPreview preview, NotificationStore notifications) {
        this.preview = preview;
        this.notifications = notifications;
    }

    /** What a run would do now, listing at most {@code limit} order codes per group. */
    public Report plan(int limit) {
        return new Report(Plan.of(preview.plan(limit)), notifications.countsByStatus());
    }
}
