package shop.reconciler.operations;

import java.util.List;
import org.springframework.stereotype.Component;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;

/**
 * {@code notifications [--status S] [--since D] [--error-contains X] [--limit N] [--json]}: the
 * outbox, newest first. {@link #list(Filter)} is the one query the command and the console's
 * notifications page both show.
 */
@Component
public class NotificationsService {

    private final NotificationStore notifications;

    NotificationsService(NotificationStore notifications) {
        this.notifications = notifications;
    }

    /**
     * The filters of {@code notifications}; a null one is no filter.
     *
     * @param since created at or after (a duration is counted back from the database's clock)
     * @param errorContains the last error contains this text
     * @param beforeId only rows older than this one (the next page), or null
     */
    public record Filter(NotificationStatus status, Since since, String errorContains, int limit, Long beforeId) {

        public Filter(NotificationStatus status, Since since, String errorContains, int limit) {
            this(status, since, errorContains, limit, null);
        }
    }

    /** The rows the filter selects, newest first. */
    public List<NotificationStore.Row> list(Filter filter) {
        return notifications.list(
                filter.status(),
                filter.since() == null ? null : filter.since().from(notifications.databaseNow()),
                filter.errorContains(),
                filter.beforeId(),
                filter.limit());
    }
}
