package shop.reconciler.reconcile;

/**
 * A {@code processing} order and what its download tasks add up to, as read in one page.
 *
 * @param taskCount every task with this {@code order_id}
 * @param openTaskCount tasks whose status is not terminal, unknown statuses included
 * @param unknownStatusCount tasks whose status is none the shop defines nor a configured terminal one
 * @param userEmail the order's {@code user_email} as read, for its notification
 * @param stale whether its newest task changed longer than {@code reconciler.mail.max-age} ago, by
 *     the database's clock when the page was read
 * @param stuckTaskCount open tasks unchanged for longer than {@code reconciler.stuck-task-after}, by
 *     the database's clock when the page was read
 */
record OrderTally(
        long orderId,
        String orderCode,
        long taskCount,
        long openTaskCount,
        long unknownStatusCount,
        String userEmail,
        boolean stale,
        long stuckTaskCount) {

    OrderTally(long orderId, String orderCode, long taskCount, long openTaskCount) {
        this(orderId, orderCode, taskCount, openTaskCount, 0, null, false, 0);
    }

    /** Stuck ({@link OrderRules}): waiting on a task unchanged for longer than stuck-task-after. */
    boolean isStuck() {
        return !isFinished() && stuckTaskCount > 0;
    }

    /** Finished ({@link OrderRules#isFinished}). */
    boolean isFinished() {
        return OrderRules.isFinished(taskCount, openTaskCount);
    }

    /** An anomaly ({@link OrderRules#isAnomaly}): never completed, reported instead. */
    boolean isAnomaly() {
        return OrderRules.isAnomaly(taskCount);
    }
}
