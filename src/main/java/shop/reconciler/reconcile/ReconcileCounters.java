package shop.reconciler.reconcile;

import java.util.List;

/** The keys of the reconcile step's counts (see {@link shop.reconciler.StepCounters}). */
public final class ReconcileCounters {

    public static final String COMPLETED = "reconcile.completed";
    public static final String STILL_OPEN = "reconcile.stillOpen";
    public static final String ANOMALIES = "reconcile.anomalies";
    public static final String CHANGED_BEFORE_WRITE = "reconcile.changedBeforeWrite";
    public static final String QUEUED = "reconcile.notificationsQueued";
    public static final String SKIPPED = "reconcile.notificationsSkipped";
    public static final String NO_RECIPIENT = "reconcile.notificationsFailed";
    public static final String ALREADY_NOTIFIED = "reconcile.alreadyNotified";
    public static final String UNKNOWN_STATUS = "reconcile.ordersWithUnknownTaskStatus";

    public static final List<String> ALL = List.of(
            COMPLETED,
            STILL_OPEN,
            ANOMALIES,
            CHANGED_BEFORE_WRITE,
            QUEUED,
            SKIPPED,
            NO_RECIPIENT,
            ALREADY_NOTIFIED,
            UNKNOWN_STATUS);

    private ReconcileCounters() {}
}
