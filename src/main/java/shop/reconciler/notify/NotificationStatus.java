package shop.reconciler.notify;

import java.util.Locale;

/** The states of an {@code order_notifications} row, as stored in its {@code status} column. */
public enum NotificationStatus {
    /** Waiting to be sent (again). */
    QUEUED,
    /** Accepted by the SMTP server. */
    SENT,
    /** Not sent, for good: no usable recipient, a permanent SMTP refusal, or attempts ran out. */
    FAILED,
    /** Not sent on purpose: the order's newest task was older than {@code reconciler.mail.max-age}. */
    SKIPPED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
