package shop.reconciler.outbox;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.springframework.batch.infrastructure.item.ItemReader;

/**
 * Reads the outbox, and only the outbox: {@code queued} notifications that no live sender has
 * claimed, a page at a time by id (keyset). It keeps no restart state: whatever is still
 * {@code queued} is simply found again by the next execution.
 */
public class QueuedNotificationReader implements ItemReader<Notification> {

    private final NotificationStore store;
    private final int pageSize;
    private final BooleanSupplier stopped;
    private final Deque<Notification> page = new ArrayDeque<>();
    private long afterId;
    private boolean exhausted;

    /** @param stopped when true, reading ends (what is left stays queued for the next run) */
    public QueuedNotificationReader(NotificationStore store, int pageSize, BooleanSupplier stopped) {
        this.store = store;
        this.pageSize = pageSize;
        this.stopped = stopped;
    }

    @Override
    public Notification read() {
        if (stopped.getAsBoolean()) {
            return null;
        }
        if (page.isEmpty() && !exhausted) {
            List<Notification> rows = store.queuedPage(afterId, pageSize);
            page.addAll(rows);
            exhausted = rows.size() < pageSize;
            if (!rows.isEmpty()) {
                afterId = rows.get(rows.size() - 1).id();
            }
        }
        return page.poll();
    }
}
