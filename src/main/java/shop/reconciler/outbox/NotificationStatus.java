package shop.reconciler.outbox;

import java.util.Locale;

/** The states of an {@code order_notifications} row, as stored in its {@code status} column. */
public enum NotificationStatus {
    /** Waiting to be sent (again). */
    QUEUED,
    /** Accepted by the SMTP server. */
    SENT,
    /**
     * Not sent, for good: no usable recipient, a permanent SMTP refusal, attempts ran out, or two
     * deliveries whose outcome is unknown (an operator decides whether to queue it again).
     */
    FAILED,
    /** Not sent on purpose: the order's newest task was older than {@code reconciler.mail.max-age}. */
    SKIPPED;

    /** The value in the {@code status} column. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status whose {@link #code()} this is, or {@code null} for any other value. */
    public static NotificationStatus ofCode(String code) {
        for (NotificationStatus status : values()) {
            if (status.code().equals(code)) {
                return status;
            }
        }
        return null;
    }
}
