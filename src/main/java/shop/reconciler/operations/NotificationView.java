package shop.reconciler.operations;

import java.time.Instant;
import shop.reconciler.db.DatabaseClock;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;

/**
 * One row of the outbox as {@code notifications}, {@code explain} and the console show it, with
 * the address its order has now; its times as instants (the rows are stamped in the database's zone).
 *
 * @param status the stored status ({@link Status#code()})
 * @param uncertainDeliveries deliveries whose outcome is unknown
 * @param currentEmail {@code orders.user_email} today (null if the order is gone)
 */
public record NotificationView(
        long id,
        long orderId,
        String orderCode,
        String recipient,
        String status,
        int attempts,
        int uncertainDeliveries,
        String lastError,
        String messageId,
        Long jobExecutionId,
        Instant createdAt,
        Instant sentAt,
        Instant updatedAt,
        String currentEmail) {

    /** The states a notification can be in, as a filter names them. */
    public enum Status {
        QUEUED,
        SENT,
        FAILED,
        SKIPPED;

        /** The value in the {@code status} column and in a {@link NotificationView}. */
        public String code() {
            return stored().code();
        }

        /** The status whose {@link #code()} this is, or {@code null} for any other value. */
        public static Status ofCode(String code) {
            NotificationStatus stored = NotificationStatus.ofCode(code);
            return stored == null ? null : valueOf(stored.name());
        }

        NotificationStatus stored() {
            return NotificationStatus.valueOf(name());
        }
    }

    /** Whether this row has the given status. */
    public boolean is(Status wanted) {
        return wanted.code().equals(status);
    }

    static NotificationView of(NotificationStore.Row r, DatabaseClock clock) {
        return new NotificationView(
                r.id(),
                r.orderId(),
                r.orderCode(),
                r.recipient(),
                r.status(),
                r.attempts(),
                r.uncertainDeliveries(),
                r.lastError(),
                r.messageId(),
                r.jobExecutionId(),
                clock.instantOf(r.createdAt()),
                clock.instantOf(r.sentAt()),
                clock.instantOf(r.updatedAt()),
                r.currentEmail());
    }
}
