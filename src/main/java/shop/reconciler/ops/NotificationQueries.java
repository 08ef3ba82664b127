package shop.reconciler.ops;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import shop.reconciler.outbox.NotificationStatus;

/**
 * The operator commands' statements on the outbox, {@code order_notifications}: counts for
 * {@code status}, one order's row for {@code explain}, the list of {@code notifications}, and the
 * guarded reset of {@code requeue}. Status values come from {@link NotificationStatus}.
 */
@Component
class NotificationQueries {

    static final String COUNT_BY_STATUS_SQL = "SELECT status, COUNT(*) AS n FROM order_notifications GROUP BY status";

    static final String OLDEST_QUEUED_SQL = "SELECT MIN(created_at) FROM order_notifications WHERE status = :queued";

    static final String COLUMNS = """
            SELECT n.id, n.order_id, n.order_code, n.recipient, n.status, n.attempts, n.last_error,
                   n.message_id, n.job_execution_id, n.created_at, n.sent_at, n.updated_at,
                   o.user_email
              FROM order_notifications n
              LEFT JOIN orders o ON o.id = n.order_id
            """;

    static final String FOR_ORDER_SQL = COLUMNS + " WHERE n.order_id = :orderId";

    /** A filter left out is bound as null. */
    static final String LIST_SQL = COLUMNS + """
             WHERE (:status IS NULL OR n.status = :status)
               AND (:since IS NULL OR n.created_at >= :since)
             ORDER BY n.id DESC
             LIMIT :limit
            """;

    static final String BY_CODES_SQL = COLUMNS + " WHERE n.order_code IN (:codes) ORDER BY n.id";

    /** A filter left out is bound as null; {@code since} is when the row last changed (failed). */
    static final String BY_FILTER_SQL = COLUMNS + """
             WHERE n.status IN (:statuses)
               AND (:since IS NULL OR n.updated_at >= :since)
               AND (:errorContains IS NULL OR LOCATE(:errorContains, n.last_error) > 0)
             ORDER BY n.id
            """;

    /**
     * Back to the queue as if new: no attempts, no error, no claim, the address the order has now.
     * Guarded by the status the row was read with, so a row that was sent, queued or requeued by
     * someone else meanwhile is left as it is.
     */
    static final String REQUEUE_SQL = """
            UPDATE order_notifications
               SET status = :queued, recipient = :recipient, attempts = 0, last_error = NULL,
                   claimed_by = NULL, claimed_until = NULL, sent_at = NULL
             WHERE id = :id AND status = :from
            """;

    static final String NOW_SQL = "SELECT NOW(3)";

    /**
     * One row of the outbox, with the address its order has now.
     *
     * @param currentEmail {@code orders.user_email} today (null if the order is gone)
     */
    record Row(
            long id,
            long orderId,
            String orderCode,
            String recipient,
            String status,
            int attempts,
            String lastError,
            String messageId,
            Long jobExecutionId,
            LocalDateTime createdAt,
            LocalDateTime sentAt,
            LocalDateTime updatedAt,
            String currentEmail) {}

    private final NamedParameterJdbcTemplate jdbc;

    NotificationQueries(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The number of rows per status, every status present (zero when none). */
    Map<String, Long> countByStatus() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (NotificationStatus status : NotificationStatus.values()) {
            counts.put(status.code(), 0L);
        }
        jdbc.query(COUNT_BY_STATUS_SQL, rs -> {
            counts.put(rs.getString("status"), rs.getLong("n"));
        });
        return counts;
    }

    LocalDateTime oldestQueued() {
        Timestamp oldest = jdbc.queryForObject(
                OLDEST_QUEUED_SQL, Map.of("queued", NotificationStatus.QUEUED.code()), Timestamp.class);
        return oldest == null ? null : oldest.toLocalDateTime();
    }

    Optional<Row> forOrder(long orderId) {
        return jdbc.query(FOR_ORDER_SQL, Map.of("orderId", orderId), NotificationQueries::row).stream()
                .findFirst();
    }

    /** Newest first. */
    List<Row> list(NotificationStatus status, Since since, int limit) {
        Map<String, Object> params = new HashMap<>();
        params.put("limit", limit);
        params.put("status", status == null ? null : status.code());
        params.put("since", since(since));
        return jdbc.query(LIST_SQL, params, NotificationQueries::row);
    }

    List<Row> byOrderCodes(Collection<String> codes) {
        return jdbc.query(BY_CODES_SQL, Map.of("codes", codes), NotificationQueries::row);
    }

    List<Row> byFilter(Collection<NotificationStatus> statuses, Since since, String errorContains) {
        Map<String, Object> params = new HashMap<>();
        params.put("statuses", statuses.stream().map(NotificationStatus::code).toList());
        params.put("since", since(since));
        params.put("errorContains", errorContains);
        return jdbc.query(BY_FILTER_SQL, params, NotificationQueries::row);
    }

    /** Whether the row was put back (it still had the status {@code from}). */
    boolean requeue(long id, NotificationStatus from, String recipient) {
        Map<String, Object> params = new HashMap<>();
        params.put("id", id);
        params.put("from", from.code());
        params.put("queued", NotificationStatus.QUEUED.code());
        params.put("recipient", recipient);
        return jdbc.update(REQUEUE_SQL, params) == 1;
    }

    private Timestamp since(Since since) {
        if (since == null) {
            return null;
        }
        LocalDateTime now =
                jdbc.getJdbcTemplate().queryForObject(NOW_SQL, Timestamp.class).toLocalDateTime();
        return Timestamp.valueOf(since.from(now));
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        Long jobExecutionId = rs.getLong("job_execution_id");
        if (rs.wasNull()) {
            jobExecutionId = null;
        }
        return new Row(
                rs.getLong("id"),
                rs.getLong("order_id"),
                rs.getString("order_code"),
                rs.getString("recipient"),
                rs.getString("status"),
                rs.getInt("attempts"),
                rs.getString("last_error"),
                rs.getString("message_id"),
                jobExecutionId,
                time(rs, "created_at"),
                time(rs, "sent_at"),
                time(rs, "updated_at"),
                rs.getString("user_email"));
    }

    private static LocalDateTime time(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toLocalDateTime();
    }
}
