package shop.reconciler.notify;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.springframework.batch.infrastructure.item.ItemReader;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Reads the outbox, and only the outbox: {@code queued} notifications that no live sender has
 * claimed, a page at a time by id (keyset). It keeps no restart state: whatever is still
 * {@code queued} is simply found again by the next execution.
 */
class QueuedNotificationReader implements ItemReader<Notification> {

    static final String PAGE_SQL = """
            SELECT id, order_id, order_code, recipient, attempts, message_id
              FROM order_notifications
             WHERE status = 'queued' AND id > :afterId
               AND (claimed_until IS NULL OR claimed_until < NOW(3))
             ORDER BY id
             LIMIT :pageSize
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final int pageSize;
    private final SendCircuit circuit;
    private final Deque<Notification> page = new ArrayDeque<>();
    private long afterId;
    private boolean exhausted;

    QueuedNotificationReader(NamedParameterJdbcTemplate jdbc, int pageSize, SendCircuit circuit) {
        this.jdbc = jdbc;
        this.pageSize = pageSize;
        this.circuit = circuit;
    }

    @Override
    public Notification read() {
        if (circuit.isOpen()) {
            return null;
        }
        if (page.isEmpty() && !exhausted) {
            List<Notification> rows = jdbc.query(
                    PAGE_SQL,
                    Map.of("afterId", afterId, "pageSize", pageSize),
                    (rs, n) -> new Notification(
                            rs.getLong("id"),
                            rs.getLong("order_id"),
                            rs.getString("order_code"),
                            rs.getString("recipient"),
                            rs.getInt("attempts"),
                            rs.getString("message_id")));
            page.addAll(rows);
            exhausted = rows.size() < pageSize;
            if (!rows.isEmpty()) {
                afterId = rows.get(rows.size() - 1).id();
            }
        }
        return page.poll();
    }
}
