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
 */
record OrderTally(
        long orderId,
        String orderCode,
        long taskCount,
        long openTaskCount,
        long unknownStatusCount,
        String userEmail,
        boolean stale) {

    OrderTally(long orderId, String orderCode, long taskCount, long openTaskCount) {
        this(orderId, orderCode, taskCount, openTaskCount, 0, null, false);
    }

    /** Finished: at least one task, and all of them terminal. */
    boolean isFinished() {
        return taskCount > 0 && openTaskCount == 0;
    }

    /** A {@code processing} order without any task: never completed, reported instead. */
    boolean isAnomaly() {
        return taskCount == 0;
    }
}
