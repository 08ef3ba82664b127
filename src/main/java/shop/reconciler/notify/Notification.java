package shop.reconciler.notify;

/** A {@code queued} row of {@code order_notifications}, as the send step reads it. */
record Notification(long id, long orderId, String orderCode, String recipient, int attempts, String messageId) {}
