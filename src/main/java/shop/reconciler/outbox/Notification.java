package shop.reconciler.outbox;

/**
 * A {@code queued} row of {@code order_notifications}, as the send step reads it.
 *
 * @param attempts send attempts so far
 * @param messageId the Message-ID stored with the row (checked again before it becomes a header)
 */
public record Notification(long id, long orderId, String orderCode, String recipient, int attempts, String messageId) {}
