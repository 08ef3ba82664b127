package shop.reconciler.reconcile;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import shop.reconciler.Durations;
import shop.reconciler.EmailAddresses;
import shop.reconciler.ReconcilerProperties;
import shop.reconciler.StepCounters;
import shop.reconciler.notify.NotificationStatus;
import shop.reconciler.notify.StableMessageId;

/**
 * Completes the finished orders of one chunk and queues their notifications, all in the chunk's
 * transaction.
 *
 * <ol>
 *   <li>Take shared locks on the chunk's tasks, then lock the chunk's orders that are still
 *       {@code processing} ({@code SELECT ... FOR UPDATE}): from here on nobody can move those
 *       orders or change their tasks. Tasks first, then orders: the order in which the shop's
 *       webhooks lock them, so that the two wait for each other instead of deadlocking.
 *   <li>Move them to {@code completed} with a guarded UPDATE: still {@code processing}, at least
 *       one task, and no task that is not terminal at this moment. A task re-queued since the read
 *       keeps its order open.
 *   <li>Read back which of the locked orders are now {@code completed}: exactly the ones this
 *       statement moved. With their recipient and whether their newest task is older than
 *       {@code reconciler.mail.max-age}, measured on the database's clock.
 *   <li>Insert one {@code order_notifications} row per moved order: {@code queued}, {@code skipped}
 *       (backlog) or {@code failed} (no usable recipient). The unique {@code order_id} keeps an
 *       existing row as it is.
 * </ol>
 */
class CompletionWriter implements ItemWriter<OrderTally> {

    private static final Logger log = LoggerFactory.getLogger(CompletionWriter.class);

    static final String LOCK_TASKS_SQL = """
            SELECT t.id FROM download_tasks t
             WHERE t.order_id IN (:ids)
               {shareLock}
            """;

    static final String LOCK_SQL = """
            SELECT o.id FROM orders o
             WHERE o.id IN (:ids) AND {processing}
             ORDER BY o.id
               FOR UPDATE
            """;

    static final String COMPLETE_SQL = """
            UPDATE orders o
               SET o.order_status = 'completed'
             WHERE o.id IN (:ids)
               AND {processing}
               AND EXISTS (SELECT 1 FROM download_tasks t WHERE t.order_id = o.id)
               AND NOT EXISTS (SELECT 1 FROM download_tasks t
                                WHERE t.order_id = o.id
                                  AND (t.status IS NULL OR {status} NOT IN (:terminal)))
            """;

    static final String COMPLETED_SQL = """
            SELECT o.id, o.order_code, o.user_email,
                   (SELECT MAX(t.updated_at) FROM download_tasks t WHERE t.order_id = o.id) AS newest_task,
                   TIMESTAMPADD(SECOND, -:maxAgeSeconds, NOW(3)) AS mail_cutoff
              FROM orders o
             WHERE o.id IN (:ids) AND o.order_status = 'completed'
             ORDER BY o.id
            """;

    static final String EXISTING_NOTIFICATIONS_SQL = """
            SELECT order_id FROM order_notifications WHERE order_id IN (:ids)
            """;

    static final String INSERT_NOTIFICATION_SQL = """
            INSERT INTO order_notifications
                   (order_id, order_code, recipient, status, last_error, message_id, job_execution_id)
            VALUES (:orderId, :orderCode, :recipient, :status, :lastError, :messageId, :jobExecutionId)
                ON DUPLICATE KEY UPDATE order_id = order_id
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final String lockTasksSql;
    private final String lockSql;
    private final String completeSql;
    private final ReconcilerProperties properties;
    private final StepExecution stepExecution;

    CompletionWriter(
            NamedParameterJdbcTemplate jdbc,
            StatusSql statusSql,
            ReconcilerProperties properties,
            StepExecution stepExecution) {
        this.jdbc = jdbc;
        this.lockTasksSql = statusSql.hasShareLock() ? statusSql.apply(LOCK_TASKS_SQL) : null;
        this.lockSql = statusSql.apply(LOCK_SQL);
        this.completeSql = statusSql.apply(COMPLETE_SQL);
        this.properties = properties;
        this.stepExecution = stepExecution;
    }

    @Override
    public void write(Chunk<? extends OrderTally> chunk) {
        List<Long> candidates =
                chunk.getItems().stream().map(OrderTally::orderId).toList();
        if (candidates.isEmpty()) {
            return;
        }
        if (lockTasksSql != null) {
            jdbc.queryForList(lockTasksSql, Map.of("ids", candidates), Long.class);
        }
        List<Long> locked = jdbc.queryForList(lockSql, Map.of("ids", candidates), Long.class);
        int moved = 0;
        List<CompletedOrder> completed = List.of();
        if (!locked.isEmpty()) {
            moved = jdbc.update(completeSql, Map.of("ids", locked, "terminal", properties.terminalTaskStatuses()));
            if (moved > 0) {
                completed = jdbc.query(
                        COMPLETED_SQL,
                        Map.of(
                                "ids",
                                locked,
                                "maxAgeSeconds",
                                properties.mail().maxAge().toSeconds()),
                        (rs, n) -> new CompletedOrder(
                                rs.getLong("id"),
                                rs.getString("order_code"),
                                rs.getString("user_email"),
                                rs.getTimestamp("newest_task"),
                                rs.getTimestamp("mail_cutoff")));
            }
        }
        if (completed.size() != moved) {
            throw new IllegalStateException("completed " + moved + " orders but found " + completed.size()
                    + " of the locked ones completed; rolling the chunk back");
        }
        Tally tally = queueNotifications(completed);
        int leftOpen = candidates.size() - moved;
        if (leftOpen > 0) {
            TreeSet<Long> open = new TreeSet<>(candidates);
            completed.forEach(c -> open.remove(c.id()));
            log.info("{} finished order(s) changed before their write and stay open: ids {}", leftOpen, open);
        }
        ExecutionContext context = stepExecution.getExecutionContext();
        StepCounters.add(context, ReconcileCounters.COMPLETED, moved);
        StepCounters.add(context, ReconcileCounters.CHANGED_BEFORE_WRITE, leftOpen);
        StepCounters.add(context, ReconcileCounters.QUEUED, tally.queued);
        StepCounters.add(context, ReconcileCounters.SKIPPED, tally.skipped);
        StepCounters.add(context, ReconcileCounters.NO_RECIPIENT, tally.failed);
        StepCounters.add(context, ReconcileCounters.ALREADY_NOTIFIED, tally.alreadyNotified);
    }

    private Tally queueNotifications(List<CompletedOrder> completed) {
        Tally tally = new Tally();
        if (completed.isEmpty()) {
            return tally;
        }
        // An order that already has a notification was completed before, reopened by someone and
        // completed again: its buyer was told once, so its row stays as it is.
        Set<Long> existing = new HashSet<>(jdbc.queryForList(
                EXISTING_NOTIFICATIONS_SQL,
                Map.of("ids", completed.stream().map(CompletedOrder::id).toList()),
                Long.class));
        List<SqlParameterSource> rows = new ArrayList<>(completed.size());
        for (CompletedOrder order : completed) {
            if (existing.contains(order.id())) {
                tally.alreadyNotified++;
                log.warn("order {} already had a notification; kept it as it was", order.orderCode());
                continue;
            }
            EmailAddresses.Checked recipient = EmailAddresses.check(order.userEmail());
            NotificationStatus status;
            String error = null;
            if (order.isStale()) {
                status = NotificationStatus.SKIPPED;
                error = "newest task older than reconciler.mail.max-age ("
                        + Durations.format(properties.mail().maxAge()) + ")";
                tally.skipped++;
            } else if (!recipient.ok()) {
                status = NotificationStatus.FAILED;
                error = recipient.problem();
                tally.failed++;
                log.warn("order {} completed without email: {}", order.orderCode(), error);
            } else {
                status = NotificationStatus.QUEUED;
                tally.queued++;
            }
            rows.add(new MapSqlParameterSource()
                    .addValue("orderId", order.id())
                    .addValue("orderCode", order.orderCode())
                    .addValue("recipient", recipient.ok() ? recipient.address() : truncate(order.userEmail(), 255))
                    .addValue("status", status.code())
                    .addValue("lastError", error)
                    .addValue(
                            "messageId",
                            StableMessageId.of(
                                    order.orderCode(), properties.mail().messageIdDomain()))
                    .addValue("jobExecutionId", stepExecution.getJobExecutionId()));
        }
        if (!rows.isEmpty()) {
            jdbc.batchUpdate(INSERT_NOTIFICATION_SQL, rows.toArray(SqlParameterSource[]::new));
        }
        return tally;
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }

    private static final class Tally {
        int queued;
        int skipped;
        int failed;
        int alreadyNotified;
    }

    private record CompletedOrder(long id, String orderCode, String userEmail, Timestamp newestTask, Timestamp cutoff) {
        boolean isStale() {
            return newestTask != null && cutoff != null && newestTask.before(cutoff);
        }
    }
}
