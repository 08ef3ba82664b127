package shop.reconciler.outbox;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.stereotype.Component;
import shop.reconciler.ReconcilerProperties;

/**
 * The owner of {@code order_notifications}, the outbox: every statement on it is here, and every
 * status value in them is bound from {@link NotificationStatus}.
 *
 * <ul>
 *   <li>The reconcile step inserts one row per completed order ({@link #insert}), in its chunk's
 *       transaction, with the Message-ID of {@link MessageIds}.
 *   <li>The send step reads {@code queued} rows ({@link #queuedPage}), claims them, and records each
 *       result; see {@link Claims}.
 *   <li>{@code status}, {@code demo} and the health indicator read counts.
 * </ul>
 *
 * Statements run on the template this store was made with; {@link #on(DataSource)} gives the same
 * statements on another connection (the send step's own, auto-committing one).
 */
@Component
public class NotificationStore {

    static final String INSERT_SQL = """
            INSERT INTO order_notifications
                   (order_id, order_code, recipient, status, last_error, message_id, job_execution_id)
            VALUES (:orderId, :orderCode, :recipient, :status, :lastError, :messageId, :jobExecutionId)
                ON DUPLICATE KEY UPDATE order_id = order_id
            """;

    static final String PAGE_SQL = """
            SELECT id, order_id, order_code, recipient, attempts, message_id
              FROM order_notifications
             WHERE status = :queued AND id > :afterId
               AND (claimed_until IS NULL OR claimed_until < NOW(3))
             ORDER BY id
             LIMIT :pageSize
            """;

    static final String CLAIM_SQL = """
            UPDATE order_notifications
               SET claimed_by = :claimant,
                   claimed_until = TIMESTAMPADD(SECOND, :claimSeconds, NOW(3)),
                   attempts = attempts + 1
             WHERE id IN (:ids)
               AND status = :queued
               AND (claimed_until IS NULL OR claimed_until < NOW(3))
            """;

    static final String RENEW_SQL = """
            UPDATE order_notifications
               SET claimed_until = TIMESTAMPADD(SECOND, :claimSeconds, NOW(3))
             WHERE id IN (:ids) AND claimed_by = :claimant AND status = :queued
            """;

    static final String CLAIMED_SQL = """
            SELECT id FROM order_notifications
             WHERE id IN (:ids) AND claimed_by = :claimant AND status = :queued
            """;

    static final String RELEASE_SQL = """
            UPDATE order_notifications
               SET claimed_by = NULL, claimed_until = NULL, attempts = attempts - 1
             WHERE id IN (:ids) AND claimed_by = :claimant AND status = :queued
            """;

    static final String SENT_SQL = """
            UPDATE order_notifications
               SET status = :sent, sent_at = NOW(3), last_error = NULL,
                   claimed_by = NULL, claimed_until = NULL
             WHERE id = :id AND claimed_by = :claimant
            """;

    static final String FAILED_SQL = """
            UPDATE order_notifications
               SET status = :failed, last_error = :error,
                   claimed_by = NULL, claimed_until = NULL
             WHERE id = :id AND claimed_by = :claimant
            """;

    static final String RETRY_LATER_SQL = """
            UPDATE order_notifications
               SET status = CASE WHEN attempts >= :maxAttempts THEN :failed ELSE :queued END,
                   last_error = :error,
                   claimed_by = NULL, claimed_until = NULL
             WHERE id = :id AND claimed_by = :claimant
            """;

    static final String COUNT_BY_STATUS_SQL = "SELECT status, COUNT(*) AS n FROM order_notifications GROUP BY status";

    static final String OLDEST_QUEUED_SQL = "SELECT MIN(created_at) FROM order_notifications WHERE status = :queued";

    static final String GIVEN_UP_SQL =
            "SELECT COUNT(*) FROM order_notifications WHERE status = :failed AND attempts > 0";

    static final String OF_ORDER_SQL = "SELECT status, last_error FROM order_notifications WHERE order_code = :code";

    private final NamedParameterJdbcTemplate jdbc;
    private final String messageIdDomain;

    @Autowired
    public NotificationStore(NamedParameterJdbcTemplate jdbc, ReconcilerProperties properties) {
        this(jdbc, properties.mail().messageIdDomain());
    }

    private NotificationStore(NamedParameterJdbcTemplate jdbc, String messageIdDomain) {
        this.jdbc = jdbc;
        this.messageIdDomain = messageIdDomain;
    }

    /** The same statements over {@code dataSource} (e.g. one connection of the caller's own). */
    public NotificationStore on(DataSource dataSource) {
        return new NotificationStore(new NamedParameterJdbcTemplate(dataSource), messageIdDomain);
    }

    // ------------------------------------------------------------------------------------------
    // The reconcile step
    // ------------------------------------------------------------------------------------------

    /**
     * A row to insert for a completed order.
     *
     * @param recipient the address as it will be used, or the shop's raw value when unusable
     * @param lastError why it is {@code skipped} or {@code failed}, or null
     */
    public record NewNotification(
            long orderId, String orderCode, String recipient, NotificationStatus status, String lastError) {}

    /**
     * Inserts one row per order in one batch (in the caller's transaction); an order that already
     * has a row keeps it as it is (the unique {@code order_id}).
     */
    public void insert(Collection<NewNotification> rows, long jobExecutionId) {
        if (rows.isEmpty()) {
            return;
        }
        SqlParameterSource[] batch = new SqlParameterSource[rows.size()];
        int i = 0;
        for (NewNotification row : rows) {
            batch[i++] = new MapSqlParameterSource()
                    .addValue("orderId", row.orderId())
                    .addValue("orderCode", row.orderCode())
                    .addValue("recipient", row.recipient())
                    .addValue("status", row.status().code())
                    .addValue("lastError", row.lastError())
                    .addValue("messageId", MessageIds.of(row.orderCode(), messageIdDomain))
                    .addValue("jobExecutionId", jobExecutionId);
        }
        jdbc.batchUpdate(INSERT_SQL, batch);
    }

    // ------------------------------------------------------------------------------------------
    // The send step
    // ------------------------------------------------------------------------------------------

    /** {@code queued} rows that no live sender has claimed, after {@code afterId}, by id. */
    public List<Notification> queuedPage(long afterId, int pageSize) {
        return jdbc.query(
                PAGE_SQL,
                statuses().addValue("afterId", afterId).addValue("pageSize", pageSize),
                (rs, n) -> new Notification(
                        rs.getLong("id"),
                        rs.getLong("order_id"),
                        rs.getString("order_code"),
                        rs.getString("recipient"),
                        rs.getInt("attempts"),
                        rs.getString("message_id")));
    }

    /** A sender's claims and records, each one statement, under {@code claimant}. */
    public Claims claims(String claimant, long claimSeconds) {
        return new Claims(claimant, claimSeconds);
    }

    /** The statements of one sender, all guarded by its claim. */
    public final class Claims {
        private final String claimant;
        private final long claimSeconds;

        private Claims(String claimant, long claimSeconds) {
            this.claimant = claimant;
            this.claimSeconds = claimSeconds;
        }

        /** Claims the notifications that are still queued and not claimed by a live sender; the ids held now. */
        public Set<Long> claim(Collection<Long> ids) {
            return claimWith(CLAIM_SQL, ids);
        }

        /** Extends this sender's claims on {@code ids}; the ids still held. */
        public Set<Long> renew(Collection<Long> ids) {
            return claimWith(RENEW_SQL, ids);
        }

        private Set<Long> claimWith(String sql, Collection<Long> ids) {
            if (ids.isEmpty()) {
                return Set.of();
            }
            MapSqlParameterSource params = params().addValue("ids", ids);
            jdbc.update(sql, params);
            return new HashSet<>(jdbc.queryForList(CLAIMED_SQL, params, Long.class));
        }

        /** Gives back claims not used for a send, without their attempt. */
        public void release(Collection<Long> ids) {
            if (!ids.isEmpty()) {
                jdbc.update(RELEASE_SQL, params().addValue("ids", ids));
            }
        }

        /** Records a delivery the server accepted; 0 when the claim had been lost meanwhile. */
        public int sent(long id) {
            return jdbc.update(SENT_SQL, params().addValue("id", id));
        }

        /** Records a notification that will not be sent. */
        public int failed(long id, String error) {
            return jdbc.update(FAILED_SQL, params().addValue("id", id).addValue("error", error));
        }

        /** Back to the queue with the error, or {@code failed} once the attempts have run out. */
        public int retryLater(long id, String error, int maxAttempts) {
            return jdbc.update(
                    RETRY_LATER_SQL,
                    params().addValue("id", id).addValue("error", error).addValue("maxAttempts", maxAttempts));
        }

        private MapSqlParameterSource params() {
            return statuses().addValue("claimant", claimant).addValue("claimSeconds", claimSeconds);
        }
    }

    // ------------------------------------------------------------------------------------------
    // What operators read
    // ------------------------------------------------------------------------------------------

    /** Rows by status, every status present (0 for none). */
    public Map<String, Long> countsByStatus() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (NotificationStatus status : NotificationStatus.values()) {
            counts.put(status.code(), 0L);
        }
        jdbc.query(COUNT_BY_STATUS_SQL, rs -> {
            counts.put(rs.getString("status"), rs.getLong("n"));
        });
        return counts;
    }

    /** When the oldest {@code queued} row was written, or null when none is queued. */
    public Timestamp oldestQueued() {
        return jdbc.queryForObject(OLDEST_QUEUED_SQL, statuses(), Timestamp.class);
    }

    /** Rows that are {@code failed} after a send was tried (not the ones without a recipient). */
    public long givenUp() {
        Long n = jdbc.queryForObject(GIVEN_UP_SQL, statuses(), Long.class);
        return n == null ? 0 : n;
    }

    /** The status and last error of the order's notification, if it has one. */
    public Optional<StatusAndError> ofOrder(String orderCode) {
        List<StatusAndError> rows = new ArrayList<>(jdbc.query(
                OF_ORDER_SQL,
                Map.of("code", orderCode),
                (rs, n) -> new StatusAndError(rs.getString("status"), rs.getString("last_error"))));
        return rows.stream().findFirst();
    }

    /** A row's status and last error. */
    public record StatusAndError(String status, String lastError) {}

    private static MapSqlParameterSource statuses() {
        MapSqlParameterSource params = new MapSqlParameterSource();
        for (NotificationStatus status : NotificationStatus.values()) {
            params.addValue(status.code(), status.code());
        }
        return params;
    }
}
