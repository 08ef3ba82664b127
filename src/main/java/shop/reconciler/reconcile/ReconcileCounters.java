package shop.reconciler.reconcile;

import java.util.List;

/**
 * The keys of the reconcile step's counts (see {@link shop.reconciler.progress.StepCounters}). Each thing
 * counted has one name: the key's part after {@code reconcile.} is what {@code status} shows, and
 * the constant is that name in upper case.
 */
public final class ReconcileCounters {

    public static final String COMPLETED = "reconcile.completed";
    public static final String STILL_OPEN = "reconcile.stillOpen";
    public static final String ANOMALIES = "reconcile.anomalies";
    public static final String CHANGED_BEFORE_WRITE = "reconcile.changedBeforeWrite";
    public static final String QUEUED = "reconcile.notificationsQueued";
    public static final String SKIPPED = "reconcile.notificationsSkipped";

    /** Completed orders without a usable recipient: their notification is {@code failed}, no send is tried. */
    public static final String NO_RECIPIENT = "reconcile.noRecipient";

    /**
     * Orders left open that wait on a task unchanged for longer than {@code reconciler.stuck-task-after}
     * ({@link #STUCK_AFTER_SECONDS}, as the step read it): what {@code status} shows as of the step.
     */
    public static final String STUCK = "reconcile.stuck";

    /** The {@code reconciler.stuck-task-after} the step counted {@link #STUCK} by, in seconds; not a count. */
    public static final String STUCK_AFTER_SECONDS = "reconcile.stuckAfterSeconds";

    public static final String ALREADY_NOTIFIED = "reconcile.alreadyNotified";
    public static final String UNKNOWN_STATUS = "reconcile.ordersWithUnknownTaskStatus";

    /** Orders whose write the database refused: left as they were and set aside (see {@link WriteFailures}). */
    public static final String WRITE_FAILURES = "reconcile.writeFailures";

    public static final List<String> ALL = List.of(
            COMPLETED,
            STILL_OPEN,
            ANOMALIES,
            CHANGED_BEFORE_WRITE,
            QUEUED,
            SKIPPED,
            NO_RECIPIENT,
            ALREADY_NOTIFIED,
            UNKNOWN_STATUS,
            WRITE_FAILURES,
            STUCK);

    private ReconcileCounters() {}
}
