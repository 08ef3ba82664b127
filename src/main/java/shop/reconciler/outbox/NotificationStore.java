package shop.reconciler.outbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
import shop.reconciler.addressing.MessageIds;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.SqlText;
import shop.reconciler.db.TableNames;

/**
 * The owner of {@code order_notifications}, the outbox: every statement on it is here, and every
 * status value in them is bound from {@link NotificationStatus}. The table's name is the marker
 * {@code {{notifications}}} ({@link TableNames}), filled when the store is built.
 *
 * <ul>
 *   <li>The reconcile step inserts one row per completed order ({@link #insert}), in its chunk's
 *       transaction, with the Message-ID of {@link MessageIds}.
 *   <li>The send step reads {@code queued} rows ({@link #queuedPage}), claims them, and records each
 *       delivery before and after it is tried; see {@link Claims}.
 *   <li>{@code status}, {@code demo} and the health indicator read counts; the operator commands
 *       ({@code explain}, {@code notifications}, {@code requeue}) read rows and put failed ones
 *       back in the queue ({@link #requeue}).
 * </ul>
 *
 * Statements run on the template this store was made with; {@link #on(DataSource)} gives the same
 * statements on another connection (the send step's own, auto-committing one).
 */
@Component
public class NotificationStore {

    static final String INSERT_SQL = """
            INSERT INTO {{notifications}}
                   (order_id, order_code, recipient, status, last_error, message_id, job_execution_id)
            VALUES (:orderId, :orderCode, :recipient, :status, :lastError, :messageId, :jobExecutionId)
                ON DUPLICATE KEY UPDATE order_id = order_id
            """;

    /**
     * The rows of orders completed long after their last task changed (a backlog: {@code skipped},
     * no email), copied by the server from the orders themselves in one statement. Their Message-ID
     * is left empty: no email is sent for them, and an operator's {@link #requeue} sets it.
     */
    static final String INSERT_SKIPPED_SQL = """
            INSERT INTO {{notifications}}
                   (order_id, order_code, recipient, status, last_error, message_id, job_execution_id)
            SELECT o.id, o.order_code, LEFT(o.user_email, 255), {{skipped}}, {{reason}}, NULL, {{jobExecutionId}}
              FROM orders o
             WHERE o.id IN ({{ids}})
                ON DUPLICATE KEY UPDATE order_id = order_id
            """;

    /** Which of these orders have a notification: a plain statement, the ids as literals. */
    static final String NOTIFIED_AMONG_SQL = "SELECT order_id FROM {{notifications}} WHERE order_id IN ({{ids}})";

    static final String PAGE_SQL = """
            SELECT id, order_id, order_code, recipient, attempts, message_id
              FROM {{notifications}}
             WHERE status = :queued AND id > :afterId
               AND (claimed_until IS NULL OR claimed_until < NOW(3))
             ORDER BY id
             LIMIT :pageSize
            """;

    /**
     * Gives back every claim of an execution that no longer runs (failed, stopped, abandoned or
     * completed in the job repository: a killed one once {@code restart} has recovered it). A
     * claim of an execution that still runs (two nodes whose leases overlapped) is left to it. A
     * delivery the dead sender had started and not recorded counts as uncertain. The SET order
     * matters on MySQL, which assigns left to right: the count reads {@code delivery_started_at}
     * before it is cleared.
     */
    static final String RELEASE_ORPHANED_SQL = """
            UPDATE {{notifications}}
               SET uncertain_deliveries = uncertain_deliveries
                       + CASE WHEN delivery_started_at IS NULL THEN 0 ELSE 1 END,
                   delivery_started_at = NULL,
                   claimed_until = NULL,
                   claim_execution_id = NULL,
                   claimed_by = NULL
             WHERE status = :queued AND claimed_by IS NOT NULL AND claimed_by <> :claimant
               AND NOT EXISTS (SELECT 1 FROM {{batch}}JOB_EXECUTION e
                                WHERE e.JOB_EXECUTION_ID = {{notifications}}.claim_execution_id
                                  AND e.STATUS IN ('STARTING', 'STARTED', 'STOPPING'))
            """;

    /**
     * Claims without charging an attempt (that is {@link #MARK_SQL}'s); a lapsed claim is taken
     * over, its unrecorded delivery counted as uncertain.
     */
    static final String CLAIM_SQL = """
            UPDATE {{notifications}}
               SET uncertain_deliveries = uncertain_deliveries
                       + CASE WHEN delivery_started_at IS NULL THEN 0 ELSE 1 END,
                   delivery_started_at = NULL,
                   claimed_until = TIMESTAMPADD(SECOND, :claimSeconds, NOW(3)),
                   claim_execution_id = :executionId,
                   claimed_by = :claimant
             WHERE id IN (:ids)
               AND status = :queued
               AND (claimed_until IS NULL OR claimed_until < NOW(3))
            """;

    static final String RENEW_SQL = """
            UPDATE {{notifications}}
               SET claimed_until = TIMESTAMPADD(SECOND, :claimSeconds, NOW(3))
             WHERE id IN (:ids) AND claimed_by = :claimant AND status = :queued
            """;

    static final String CLAIMED_SQL = """
            SELECT id, attempts, uncertain_deliveries FROM {{notifications}}
             WHERE id IN (:ids) AND claimed_by = :claimant AND status = :queued
            """;

    /**
     * Gives back claims never used for a delivery, with why they were not tried (null keeps the last
     * error); a started delivery keeps its claim.
     */
    static final String RELEASE_SQL = """
            UPDATE {{notifications}}
               SET claimed_until = NULL, claimed_by = NULL, last_error = COALESCE(:error, last_error)
             WHERE id IN (:ids) AND claimed_by = :claimant AND status = :queued
               AND delivery_started_at IS NULL
            """;

    /**
     * Deliveries are about to be tried: their attempts are charged ({@code :charge} 1, 0 for an
     * in-run retry). A row whose claim is gone is not touched: the affected-row count says whether
     * every claim held.
     */
    static final String MARK_SQL = """
            UPDATE {{notifications}}
               SET delivery_started_at = NOW(3), attempts = attempts + :charge
             WHERE id IN (:ids) AND claimed_by = :claimant AND status = :queued
            """;

    /**
     * Records the same result for deliveries: status, last error and deliveries of unknown
     * outcome; no longer in flight, no claim. (The sender commits results together with the next
     * deliveries' {@link #MARK_SQL}, those of every SMTP connection waiting at that moment in one
     * transaction, see {@code mail/DeliveryLedger}.)
     */
    static final String SETTLE_SQL = """
            UPDATE {{notifications}}
               SET status = :status, last_error = :error,
                   sent_at = CASE WHEN :sentNow = 1 THEN NOW(3) ELSE sent_at END,
                   uncertain_deliveries = uncertain_deliveries + :uncertain,
                   delivery_started_at = NULL, claimed_until = NULL, claimed_by = NULL
             WHERE id IN (:ids) AND claimed_by = :claimant
            """;

    /**
     * A delivery whose outcome is unknown, recorded before the message is tried again; the
     * delivery is no longer in flight (the retry charges none, see {@link #MARK_SQL}).
     */
    static final String UNCERTAIN_SQL = """
            UPDATE {{notifications}}
               SET uncertain_deliveries = uncertain_deliveries + 1, last_error = :error,
                   delivery_started_at = NULL
             WHERE id = :id AND claimed_by = :claimant
            """;

    static final String COUNT_BY_STATUS_SQL = "SELECT status, COUNT(*) AS n FROM {{notifications}} GROUP BY status";

    static final String QUEUED_COUNT_SQL = "SELECT COUNT(*) FROM {{notifications}} WHERE status = :queued";

    static final String OLDEST_QUEUED_SQL = "SELECT MIN(created_at) FROM {{notifications}} WHERE status = :queued";

    static final String GIVEN_UP_SQL = "SELECT COUNT(*) FROM {{notifications}} WHERE status = :failed AND attempts > 0";

    static final String OF_ORDER_SQL = "SELECT status, last_error FROM {{notifications}} WHERE order_code = :code";

    /**
     * Every status named, so that the {@code (status, uncertain_deliveries)} index (V8) counts the
     * few rows with such deliveries in four short ranges instead of reading every row.
     */
    static final String UNCERTAIN_COUNT_SQL = "SELECT COUNT(*) FROM {{notifications}}"
            + " WHERE status IN ('queued', 'sent', 'failed', 'skipped') AND uncertain_deliveries > 0";

    static final String ROW_COLUMNS = """
            SELECT n.id, n.order_id, n.order_code, n.recipient, n.status, n.attempts,
                   n.uncertain_deliveries, n.last_error, n.message_id, n.job_execution_id,
                   n.created_at, n.sent_at, n.updated_at, o.user_email
              FROM {{notifications}} n
              LEFT JOIN orders o ON o.id = n.order_id
            """;

    static final String FOR_ORDER_SQL = ROW_COLUMNS + " WHERE n.order_id = :orderId";

    /** A filter left out is bound as null. */
    static final String LIST_SQL = ROW_COLUMNS + """
             WHERE (:status IS NULL OR n.status = :status)
               AND (:since IS NULL OR n.created_at >= :since)
               AND (:errorContains IS NULL OR LOCATE(:errorContains, n.last_error) > 0)
               AND (:beforeId IS NULL OR n.id < :beforeId)
             ORDER BY n.id DESC
             LIMIT :limit
            """;

    static final String BY_CODES_SQL = ROW_COLUMNS + " WHERE n.order_code IN (:codes) ORDER BY n.id";

    /**
     * What a requeue by filter selects; a filter left out is bound as null ({@code since} is when
     * the row last changed, that is failed). Rows with deliveries of unknown outcome are in only
     * when {@code :withUncertain} is 1, and the others only when {@code :withCertain} is 1.
     */
    static final String REQUEUE_FILTER = """
             WHERE n.status IN (:statuses)
               AND (:since IS NULL OR n.updated_at >= :since)
               AND (:errorContains IS NULL OR LOCATE(:errorContains, n.last_error) > 0)
            """;

    static final String REQUEUE_ROWS = """
               AND (n.uncertain_deliveries > 0 OR :withCertain = 1)
               AND (n.uncertain_deliveries = 0 OR :withUncertain = 1)
            """;

    /**
     * How many rows a requeue by filter selects, and how many it leaves out because their
     * deliveries' outcome is unknown: counted by the server, no row loaded.
     */
    static final String REQUEUE_COUNT_SELECT = """
            SELECT COALESCE(SUM(CASE WHEN (n.uncertain_deliveries > 0 OR :withCertain = 1)
                                      AND (n.uncertain_deliveries = 0 OR :withUncertain = 1)
                                     THEN 1 ELSE 0 END), 0) AS matched,
                   COALESCE(SUM(CASE WHEN n.uncertain_deliveries > 0 AND :withUncertain = 0
                                     THEN 1 ELSE 0 END), 0) AS left_out
              FROM {{notifications}} n
            """;

    static final String REQUEUE_COUNT_SQL = REQUEUE_COUNT_SELECT + REQUEUE_FILTER;

    /**
     * The same count for a filter by status alone: only columns of the {@code (status,
     * uncertain_deliveries)} index (V8) named, so the server counts from the index (with the other
     * filters' columns in the text, bound as null, MariaDB read every row: 0.6 s at 200k orders).
     */
    static final String REQUEUE_BY_STATUS_COUNT_SQL = REQUEUE_COUNT_SELECT + " WHERE n.status IN (:statuses)\n";

    /**
     * One page of a requeue by filter, one status at a time so that the {@code (status, id)} index
     * serves the order and the keyset ({@code id > :afterId}).
     */
    static final String REQUEUE_PAGE_SQL = ROW_COLUMNS + REQUEUE_FILTER + REQUEUE_ROWS + """
               AND n.id > :afterId
             ORDER BY n.id
             LIMIT :limit
            """;

    /**
     * Back to the queue, with the address the order has now, no error and no claim. A row
     * without deliveries of unknown outcome goes back as if new (no attempts). A row with some
     * (the server may have the message already) goes back only when {@code :uncertain} is 1 (an
     * operator asked for it explicitly), and then for exactly one more delivery: one uncertain
     * delivery is kept on it, so that another makes it {@code failed} again (the send step allows
     * two), and its attempts are set to its last one ({@code :lastAttempt}), so that a failure
     * makes it {@code failed} again too. The SET order matters on MySQL, which assigns left to
     * right: {@code attempts} reads {@code uncertain_deliveries} before it changes. Guarded by the
     * status the row was read with, so a row that was sent, queued or requeued by someone else
     * meanwhile is left as it is.
     */
    static final String REQUEUE_SQL = """
            UPDATE {{notifications}}
               SET status = :queued, recipient = :recipient, message_id = COALESCE(message_id, :messageId),
                   attempts = CASE WHEN uncertain_deliveries > 0 THEN :lastAttempt ELSE 0 END,
                   uncertain_deliveries = CASE WHEN uncertain_deliveries > 0 THEN 1 ELSE 0 END,
                   last_error = NULL, claimed_by = NULL, claimed_until = NULL,
                   claim_execution_id = NULL, delivery_started_at = NULL, sent_at = NULL
             WHERE id = :id AND status = :from AND (uncertain_deliveries = 0 OR :uncertain = 1)
            """;

    /** The clock the rows are stamped with, for "since" filters counted back from now. */
    static final String NOW_SQL = "SELECT NOW(3)";

    private final NamedParameterJdbcTemplate jdbc;
    private final String messageIdDomain;
    private final TableNames tables;
    private final String insertSql;
    private final String insertSkippedSql;
    private final String notifiedAmongSql;
    private final String pageSql;
    private final String releaseOrphanedSql;
    private final String claimSql;
    private final String renewSql;
    private final String claimedSql;
    private final String releaseSql;
    private final String markSql;
    private final String settleSql;
    private final String uncertainSql;
    private final String countByStatusSql;
    private final String queuedCountSql;
    private final String oldestQueuedSql;
    private final String givenUpSql;
    private final String ofOrderSql;
    private final String uncertainCountSql;
    private final String forOrderSql;
    private final String listSql;
    private final String byCodesSql;
    private final String requeueCountSql;
    private final String requeueByStatusCountSql;
    private final String requeuePageSql;
    private final String requeueSql;

    @Autowired
    public NotificationStore(NamedParameterJdbcTemplate jdbc, ReconcilerProperties properties, TableNames tables) {
        this(jdbc, properties.mail().messageIdDomain(), tables);
    }

    private NotificationStore(NamedParameterJdbcTemplate jdbc, String messageIdDomain, TableNames tables) {
        this.jdbc = jdbc;
        this.messageIdDomain = messageIdDomain;
        this.tables = tables;
        this.insertSql = tables.fill(INSERT_SQL);
        this.insertSkippedSql = tables.fill(INSERT_SKIPPED_SQL);
        this.notifiedAmongSql = tables.fill(NOTIFIED_AMONG_SQL);
        this.pageSql = tables.fill(PAGE_SQL);
        this.releaseOrphanedSql = tables.fill(RELEASE_ORPHANED_SQL);
        this.claimSql = tables.fill(CLAIM_SQL);
        this.renewSql = tables.fill(RENEW_SQL);
        this.claimedSql = tables.fill(CLAIMED_SQL);
        this.releaseSql = tables.fill(RELEASE_SQL);
        this.markSql = tables.fill(MARK_SQL);
        this.settleSql = tables.fill(SETTLE_SQL);
        this.uncertainSql = tables.fill(UNCERTAIN_SQL);
        this.countByStatusSql = tables.fill(COUNT_BY_STATUS_SQL);
        this.queuedCountSql = tables.fill(QUEUED_COUNT_SQL);
        this.oldestQueuedSql = tables.fill(OLDEST_QUEUED_SQL);
        this.givenUpSql = tables.fill(GIVEN_UP_SQL);
        this.ofOrderSql = tables.fill(OF_ORDER_SQL);
        this.uncertainCountSql = tables.fill(UNCERTAIN_COUNT_SQL);
        this.forOrderSql = tables.fill(FOR_ORDER_SQL);
        this.listSql = tables.fill(LIST_SQL);
        this.byCodesSql = tables.fill(BY_CODES_SQL);
        this.requeueCountSql = tables.fill(REQUEUE_COUNT_SQL);
        this.requeueByStatusCountSql = tables.fill(REQUEUE_BY_STATUS_COUNT_SQL);
        this.requeuePageSql = tables.fill(REQUEUE_PAGE_SQL);
        this.requeueSql = tables.fill(REQUEUE_SQL);
    }

    /** The names of the tables this store's statements use. */
    public TableNames tables() {
        return tables;
    }

    /** The same statements over {@code dataSource} (e.g. one connection of the caller's own). */
    public NotificationStore on(DataSource dataSource) {
        return new NotificationStore(new NamedParameterJdbcTemplate(dataSource), messageIdDomain, tables);
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
        jdbc.batchUpdate(insertSql, batch);
    }

    /** The orders among these that have a notification already (in the caller's transaction). */
    public Set<Long> notifiedAmong(Collection<Long> orderIds) {
        if (orderIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(
                jdbc.getJdbcTemplate().queryForList(SqlText.withIds(notifiedAmongSql, orderIds), Long.class));
    }

    /**
     * Inserts a {@code skipped} row for each of these orders, its recipient the order's address as
     * stored, in one {@code INSERT ... SELECT} (in the caller's transaction; MySQL, MariaDB, and H2 in
     * its MySQL mode for the demo); an order that already has a row keeps it.
     */
    public void insertSkipped(Collection<Long> orderIds, String reason, long jobExecutionId) {
        if (orderIds.isEmpty()) {
            return;
        }
        // a plain statement, its text complete (see SqlText): the ids as number literals, the
        // status and the reason (made of configuration) as checked literals
        String sql = SqlText.fill(
                insertSkippedSql,
                Map.of(
                        "skipped", SqlText.literal(NotificationStatus.SKIPPED.code()),
                        "reason", SqlText.literal(reason),
                        "jobExecutionId", Long.toString(jobExecutionId)));
        jdbc.getJdbcTemplate().update(SqlText.withIds(sql, orderIds));
    }

    // ------------------------------------------------------------------------------------------
    // The send step
    // ------------------------------------------------------------------------------------------

    /** {@code queued} rows that no live sender has claimed, after {@code afterId}, by id. */
    public List<Notification> queuedPage(long afterId, int pageSize) {
        return jdbc.query(
                pageSql,
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
    public Claims claims(String claimant, long executionId, long claimSeconds) {
        return new Claims(claimant, executionId, claimSeconds);
    }

    /** What a claimed row holds when the claim was taken. */
    public record Claimed(int attempts, int uncertainDeliveries) {}

    /**
     * How a delivery ends for its row.
     *
     * @param status {@code sent}, {@code failed}, or {@code queued} for a later run
     * @param error the last error, or null
     * @param uncertain deliveries of unknown outcome to add (0 or 1)
     */
    public record Settlement(NotificationStatus status, String error, int uncertain) {}

    /**
     * The statements of one sender (its claimant: process and execution), all guarded by its
     * claim: a row another sender took over is not touched.
     *
     * <ol>
     *   <li>{@link #releaseOrphaned()} once, under the lease, before the first read.
     *   <li>{@link #claim} a chunk (no attempt charged), {@link #renew} while it lasts.
     *   <li>{@link #charge} a delivery before it is tried, {@link #settle} its result after; the
     *       sender commits a result with the next delivery's charge, those of several SMTP
     *       connections in one transaction (one statement per kind, for many rows). So a row whose
     *       delivery has started and is not recorded has {@code delivery_started_at} set, whatever
     *       happens next.
     *   <li>{@link #uncertain} records a delivery of unknown outcome before its in-run retry.
     *   <li>{@link #release} gives back what was not tried.
     * </ol>
     */
    public final class Claims {
        private final String claimant;
        private final long executionId;
        private final long claimSeconds;

        private Claims(String claimant, long executionId, long claimSeconds) {
            this.claimant = claimant;
            this.executionId = executionId;
            this.claimSeconds = claimSeconds;
        }

        /** Gives back the claims of executions that no longer run; the number of rows released. */
        public int releaseOrphaned() {
            return jdbc.update(releaseOrphanedSql, params());
        }

        /** Claims the rows still queued and not claimed by a live sender; what this sender holds now. */
        public Map<Long, Claimed> claim(Collection<Long> ids) {
            return claimWith(claimSql, ids);
        }

        /** Extends this sender's claims on {@code ids}; what it still holds. */
        public Map<Long, Claimed> renew(Collection<Long> ids) {
            return claimWith(renewSql, ids);
        }

        private Map<Long, Claimed> claimWith(String sql, Collection<Long> ids) {
            if (ids.isEmpty()) {
                return Map.of();
            }
            MapSqlParameterSource params = params().addValue("ids", ids);
            jdbc.update(sql, params);
            Map<Long, Claimed> held = new HashMap<>();
            jdbc.query(claimedSql, params, rs -> {
                held.put(rs.getLong("id"), new Claimed(rs.getInt("attempts"), rs.getInt("uncertain_deliveries")));
            });
            return held;
        }

        /** Gives back claims never used for a delivery; {@code why}, when not null, becomes their last error. */
        public void release(Collection<Long> ids, String why) {
            if (!ids.isEmpty()) {
                jdbc.update(releaseSql, params().addValue("ids", ids).addValue("error", why));
            }
        }

        /**
         * Marks a delivery as started, charging its attempt unless it is an in-run retry; false when
         * the claim is gone (nothing may be delivered then).
         */
        public boolean charge(long id, boolean newAttempt) {
            return charge(List.of(id), newAttempt) == 1;
        }

        /**
         * Marks deliveries as started, as {@link #charge(long, boolean)} does, in one statement; how
         * many claims held (each row of {@code ids} whose claim is gone is left as it is).
         */
        public int charge(Collection<Long> ids, boolean newAttempt) {
            return jdbc.update(markSql, params().addValue("ids", ids).addValue("charge", newAttempt ? 1 : 0));
        }

        /** Records {@code settlement} for row {@code id}; false when its claim had expired meanwhile. */
        public boolean settle(long id, Settlement settlement) {
            return settle(List.of(id), settlement) == 1;
        }

        /** Records the same {@code settlement} for rows {@code ids} in one statement; how many claims held. */
        public int settle(Collection<Long> ids, Settlement settlement) {
            MapSqlParameterSource params = params().addValue("ids", ids)
                    .addValue("status", settlement.status().code())
                    .addValue("error", settlement.error())
                    .addValue("sentNow", settlement.status() == NotificationStatus.SENT ? 1 : 0)
                    .addValue("uncertain", settlement.uncertain());
            return jdbc.update(settleSql, params);
        }

        /** Records a delivery of unknown outcome, before it is tried again. */
        public void uncertain(long id, String error) {
            jdbc.update(uncertainSql, params().addValue("id", id).addValue("error", error));
        }

        private MapSqlParameterSource params() {
            return statuses()
                    .addValue("claimant", claimant)
                    .addValue("executionId", executionId)
                    .addValue("claimSeconds", claimSeconds);
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
        jdbc.query(countByStatusSql, rs -> {
            counts.put(rs.getString("status"), rs.getLong("n"));
        });
        return counts;
    }

    /** Rows {@code queued} now (the index on status and id counts them). */
    public long queuedCount() {
        Long n = jdbc.queryForObject(queuedCountSql, statuses(), Long.class);
        return n == null ? 0 : n;
    }

    /**
     * When the oldest {@code queued} row was written, on the database's clock in its session's zone
     * (as stamped, unconverted), or null when none is queued.
     */
    public LocalDateTime oldestQueued() {
        return jdbc.queryForObject(oldestQueuedSql, statuses(), (rs, n) -> rs.getObject(1, LocalDateTime.class));
    }

    /** Rows that are {@code failed} after a send was tried (not the ones without a recipient). */
    public long givenUp() {
        Long n = jdbc.queryForObject(givenUpSql, statuses(), Long.class);
        return n == null ? 0 : n;
    }

    /** The status and last error of the order's notification, if it has one. */
    public Optional<StatusAndError> ofOrder(String orderCode) {
        List<StatusAndError> rows = new ArrayList<>(jdbc.query(
                ofOrderSql,
                Map.of("code", orderCode),
                (rs, n) -> new StatusAndError(rs.getString("status"), rs.getString("last_error"))));
        return rows.stream().findFirst();
    }

    /** A row's status and last error. */
    public record StatusAndError(String status, String lastError) {}

    /** Rows with at least one delivery whose outcome is unknown (the server may have it twice). */
    public long withUncertainDeliveries() {
        Long n = jdbc.getJdbcTemplate().queryForObject(uncertainCountSql, Long.class);
        return n == null ? 0 : n;
    }

    /**
     * One row of the outbox as operators see it, with the address its order has now.
     *
     * @param uncertainDeliveries deliveries whose outcome is unknown
     * @param currentEmail {@code orders.user_email} today (null if the order is gone)
     */
    public record Row(
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
            LocalDateTime createdAt,
            LocalDateTime sentAt,
            LocalDateTime updatedAt,
            String currentEmail) {}

    /** The order's notification, if it has one. */
    public Optional<Row> forOrder(long orderId) {
        return jdbc.query(forOrderSql, Map.of("orderId", orderId), NotificationStore::row).stream()
                .findFirst();
    }

    /**
     * Newest first; a null status, since or text is no filter ({@code since}: queued at or after;
     * {@code errorContains}: the last error contains it).
     */
    public List<Row> list(NotificationStatus status, LocalDateTime since, String errorContains, int limit) {
        return list(status, since, errorContains, null, limit);
    }

    /** As {@link #list(NotificationStatus, LocalDateTime, String, int)}, older than row {@code beforeId} (a page). */
    public List<Row> list(
            NotificationStatus status, LocalDateTime since, String errorContains, Long beforeId, int limit) {
        Map<String, Object> params = new HashMap<>();
        params.put("beforeId", beforeId);
        params.put("limit", limit);
        params.put("status", status == null ? null : status.code());
        params.put("since", since == null ? null : Timestamp.valueOf(since));
        params.put("errorContains", errorContains);
        return jdbc.query(listSql, params, NotificationStore::row);
    }

    public List<Row> byOrderCodes(Collection<String> codes) {
        return jdbc.query(byCodesSql, Map.of("codes", codes), NotificationStore::row);
    }

    /** Which rows with deliveries of unknown outcome a requeue by filter selects. */
    public enum UncertainRows {
        /** Only the others (a bulk requeue without {@code --uncertain}). */
        EXCLUDED,
        /** Those and the others. */
        INCLUDED,
        /** Only those. */
        ONLY
    }

    /**
     * A requeue by filter: rows in one of {@code statuses}; a null {@code since} (last changed at
     * or after) or {@code errorContains} is no filter.
     */
    public record RequeueFilter(
            Collection<NotificationStatus> statuses,
            LocalDateTime since,
            String errorContains,
            UncertainRows uncertain) {}

    /**
     * What a requeue by filter would select, counted by the server.
     *
     * @param matched rows selected
     * @param uncertainLeftOut rows that match the filter but are left out because some of their
     *     deliveries' outcome is unknown
     */
    public record RequeueCount(long matched, long uncertainLeftOut) {}

    public RequeueCount countForRequeue(RequeueFilter filter) {
        return jdbc.queryForObject(
                filter.since() == null && filter.errorContains() == null ? requeueByStatusCountSql : requeueCountSql,
                requeueParams(filter, filter.statuses()),
                (rs, n) -> new RequeueCount(rs.getLong("matched"), rs.getLong("left_out")));
    }

    /** Up to {@code limit} rows of one of the filter's statuses after {@code afterId}, by id. */
    public List<Row> pageForRequeue(RequeueFilter filter, NotificationStatus status, long afterId, int limit) {
        MapSqlParameterSource params = requeueParams(filter, List.of(status))
                .addValue("afterId", afterId)
                .addValue("limit", limit);
        return jdbc.query(requeuePageSql, params, NotificationStore::row);
    }

    private static MapSqlParameterSource requeueParams(RequeueFilter filter, Collection<NotificationStatus> statuses) {
        return new MapSqlParameterSource()
                .addValue(
                        "statuses",
                        statuses.stream().map(NotificationStatus::code).toList())
                .addValue("since", filter.since() == null ? null : Timestamp.valueOf(filter.since()))
                .addValue("errorContains", filter.errorContains())
                .addValue("withCertain", filter.uncertain() == UncertainRows.ONLY ? 0 : 1)
                .addValue("withUncertain", filter.uncertain() == UncertainRows.EXCLUDED ? 0 : 1);
    }

    /**
     * Puts the row back in the queue (see {@link #REQUEUE_SQL}), with the order's Message-ID if
     * the row had none (a {@code skipped} one); whether it was put back (it still had the status
     * {@code from}, and no delivery of unknown outcome unless {@code uncertain}).
     *
     * @param uncertain the operator asked for rows with deliveries of unknown outcome
     * @param maxAttempts {@code reconciler.mail.max-attempts}: such a row gets its last one
     */
    public boolean requeue(
            long id, String orderCode, NotificationStatus from, String recipient, boolean uncertain, int maxAttempts) {
        Map<String, Object> params = new HashMap<>();
        params.put("id", id);
        params.put("messageId", MessageIds.of(orderCode, messageIdDomain));
        params.put("from", from.code());
        params.put("queued", NotificationStatus.QUEUED.code());
        params.put("recipient", recipient);
        params.put("uncertain", uncertain ? 1 : 0);
        params.put("lastAttempt", Math.max(maxAttempts - 1, 0));
        return jdbc.update(requeueSql, params) == 1;
    }

    /** The database's clock, which stamps the rows. */
    public LocalDateTime databaseNow() {
        return jdbc.getJdbcTemplate().queryForObject(NOW_SQL, Timestamp.class).toLocalDateTime();
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
                rs.getInt("uncertain_deliveries"),
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

    private static MapSqlParameterSource statuses() {
        MapSqlParameterSource params = new MapSqlParameterSource();
        for (NotificationStatus status : NotificationStatus.values()) {
            params.addValue(status.code(), status.code());
        }
        return params;
    }
}
