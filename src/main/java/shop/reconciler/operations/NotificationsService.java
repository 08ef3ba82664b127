package shop.reconciler.operations;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.stereotype.Component;
import shop.reconciler.db.DatabaseClock;
import shop.reconciler.outbox.NotificationStore;

/**
 * {@code notifications [--status S] [--since D] [--error-contains X] [--limit N] [--json]}: the
 * outbox, newest first. {@link #list(Filter)} is the one query the command and the console's
 * notifications page both show.
 */
@Component
public class NotificationsService {

    private final NotificationStore notifications;
    private final DatabaseClock clock;

    NotificationsService(NotificationStore notifications, DatabaseClock clock) {
        this.notifications = notifications;
        this.clock = clock;
    }

    /**
     * The filters of {@code notifications}; a null one is no filter.
     *
     * @param since created at or after (a duration is counted back from the database's clock)
     * @param errorContains the last error contains this text
     * @param beforeId only rows older than this one (the next page), or null
     */
    public record Filter(NotificationView.Status status, Since since, String errorContains, int limit, Long beforeId) {

        public Filter(NotificationView.Status status, Since since, String errorContains, int limit) {
            this(status, since, errorContains, limit, null);
        }
    }

    /** The rows the filter selects, newest first. */
    public List<NotificationView> list(Filter filter) {
        return notifications
                .list(
                        filter.status() == null ? null : filter.status().stored(),
                        filter.since() == null ? null : filter.since().from(notifications.databaseNow()),
                        filter.errorContains(),
                        filter.beforeId(),
                        filter.limit())
                .stream()
                .map(row -> NotificationView.of(row, clock))
                .toList();
    }

    /**
     * A {@code since} whose date was given in UTC (as the console shows times), as the rows are
     * stamped: in the database's zone. A duration back is left as it is.
     */
    public Since fromUtc(Since since) {
        return since.at() == null
                ? since
                : new Since(null, LocalDateTime.ofInstant(since.at().toInstant(ZoneOffset.UTC), clock.sessionZone()));
    }
}
