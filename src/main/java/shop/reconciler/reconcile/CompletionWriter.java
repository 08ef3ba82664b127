package shop.reconciler.reconcile;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.reconciler.Durations;
import shop.reconciler.EmailAddresses;
import shop.reconciler.ReconcilerProperties;
import shop.reconciler.StepCounters;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;

/**
 * Completes the finished orders of one chunk and queues their notifications, all in the chunk's
 * transaction, in four statements.
 *
 * <ol>
 *   <li>Tally the chunk's tasks again under shared locks ({@code LOCK IN SHARE MODE}; H2, the demo's
 *       database, has none): from here on nobody can change or add those tasks. Which orders are
 *       finished now, and when each one's newest task last changed.
 *   <li>Lock the finished ones that are still {@code processing} ({@code SELECT ... FOR UPDATE}),
 *       reading their code, recipient, whether they already have a notification, and the
 *       {@code reconciler.mail.max-age} cut-off on the database's clock. Tasks first, then orders:
 *       the order in which the shop's webhooks lock them, so that the two wait for each other
 *       instead of deadlocking.
 *   <li>Move them to {@code completed} with a guarded UPDATE: still {@code processing}, at least
 *       one task (which the shared locks already guarantee where there are any), and no task that
 *       is not terminal at this moment. The guard repeats the tally's
 *       verdict so that no isolation level or server setting can complete an unfinished order. If
 *       it moved fewer orders than were locked, the moved ones are read back.
 *   <li>Insert one {@code order_notifications} row per moved order: {@code queued}, {@code skipped}
 *       (backlog) or {@code failed} (no usable recipient). The unique {@code order_id} keeps an
 *       existing row as it is.
 * </ol>
 */
class CompletionWriter implements ItemWriter<OrderTally> {

    private static final Logger log = LoggerFactory.getLogger(CompletionWriter.class);

    static final String TALLY_TASKS_SQL = """
            SELECT t.order_id,
                   SUM(CASE WHEN t.status IS NULL OR {status} NOT IN (:terminal) THEN 1 ELSE 0 END) AS open_tasks,
                   MAX(t.updated_at) AS newest_task
              FROM download_tasks t
             WHERE t.order_id IN ({ids})
             GROUP BY t.order_id
               {shareLock}
            """;

    static final String LOCK_SQL = """
            SELECT o.id, o.order_code, o.user_email,
                   EXISTS (SELECT 1 FROM order_notifications n WHERE n.order_id = o.id) AS notified,
                   TIMESTAMPADD(SECOND, -:maxAgeSeconds, NOW(3)) AS mail_cutoff
              FROM orders o
             WHERE o.id IN ({ids}) AND {processing}
             ORDER BY o.id
               FOR UPDATE
            """;

    static final String COMPLETE_SQL = """
            UPDATE orders o
               SET o.order_status = 'completed'
             WHERE o.id IN ({ids})
               AND {processing}
               AND EXISTS (SELECT 1 FROM download_tasks t WHERE t.order_id = o.id)
               AND NOT EXISTS (SELECT 1 FROM download_tasks t
                                WHERE t.order_id = o.id
                                  AND (t.status IS NULL OR {status} NOT IN (:terminal)))
            """;

    /**
     * {@link #COMPLETE_SQL} where the tally's shared locks hold: the tasks it counted can be neither
     * changed nor deleted until the chunk commits, so every locked order still has a task. Only a
     * task inserted since (which READ COMMITTED would let through) can still make it unfinished.
     */
    static final String COMPLETE_UNDER_SHARE_LOCKS_SQL = """
            UPDATE orders o
               SET o.order_status = 'completed'
             WHERE o.id IN ({ids})
               AND {processing}
               AND NOT EXISTS (SELECT 1 FROM download_tasks t
                                WHERE t.order_id = o.id
                                  AND (t.status IS NULL OR {status} NOT IN (:terminal)))
            """;

    static final String COMPLETED_SQL = """
            SELECT o.id FROM orders o WHERE o.id IN ({ids}) AND o.order_status = 'completed'
            """;

    private static final Pattern PLAIN_LITERAL = Pattern.compile("[^'\\\\\\p{Cntrl}]*");

    private final JdbcTemplate jdbc;
    private final NotificationStore notificationStore;
    private final String tallyTasksSql;
    private final String lockSql;
    private final String completeSql;
    private final String backlog;
    private final StepExecution stepExecution;

    CompletionWriter(
            NamedParameterJdbcTemplate jdbc,
            StatusSql statusSql,
            ReconcilerProperties properties,
            NotificationStore notificationStore,
            StepExecution stepExecution) {
        this.jdbc = jdbc.getJdbcTemplate();
        this.notificationStore = notificationStore;
        // Every value goes into the text as a literal, and each chunk's statements run as plain
        // statements: their text differs per chunk (its ids), and a prepared statement's text is
        // parsed by the driver for placeholders, character by character, which for a chunk's
        // thousand ids cost a fifth of the step's CPU. The literals are numbers, and strings from
        // the validated configuration that contain no quote or backslash (sqlLiteral).
        String terminal = properties.terminalTaskStatuses().stream()
                .map(CompletionWriter::sqlLiteral)
                .collect(Collectors.joining(","));
        this.tallyTasksSql = statusSql.apply(TALLY_TASKS_SQL).replace(":terminal", terminal);
        this.lockSql = statusSql
                .apply(LOCK_SQL)
                .replace(
                        ":maxAgeSeconds",
                        Long.toString(properties.mail().maxAge().toSeconds()));
        this.completeSql = statusSql
                .apply(statusSql.hasShareLock() ? COMPLETE_UNDER_SHARE_LOCKS_SQL : COMPLETE_SQL)
                .replace(":terminal", terminal);
        this.backlog = "newest task older than reconciler.mail.max-age ("
                + Durations.format(properties.mail().maxAge()) + ")";
        this.stepExecution = stepExecution;
    }

    /**
     * A configured value as an SQL string literal. {@link ReconcilerProperties} admits only letters,
     * digits, {@code _}, {@code -} and {@code .} in the statuses and the Message-ID domain; a value
     * with a quote, a backslash or a control character is refused here rather than escaped, so the
     * literal means the same whatever the server's {@code NO_BACKSLASH_ESCAPES}.
     */
    static String sqlLiteral(String value) {
        if (!PLAIN_LITERAL.matcher(value).matches()) {
            throw new IllegalArgumentException("not usable as a plain SQL literal: " + value);
        }
        return "'" + value + "'";
    }

    @Override
    public void write(Chunk<? extends OrderTally> chunk) {
        List<Long> candidates =
                chunk.getItems().stream().map(OrderTally::orderId).toList();
        if (candidates.isEmpty()) {
            return;
        }
        Map<Long, Timestamp> finishedNow = new HashMap<>(candidates.size() * 2);
        jdbc.query(withIds(tallyTasksSql, candidates), (RowCallbackHandler) rs -> {
            if (rs.getLong("open_tasks") == 0) {
                finishedNow.put(rs.getLong("order_id"), rs.getTimestamp("newest_task"));
            }
        });
        List<LockedOrder> locked = finishedNow.isEmpty()
                ? List.of()
                : jdbc.query(
                        withIds(lockSql, new TreeSet<>(finishedNow.keySet())),
                        (rs, n) -> new LockedOrder(
                                rs.getLong("id"),
                                rs.getString("order_code"),
                                rs.getString("user_email"),
                                rs.getBoolean("notified"),
                                finishedNow.get(rs.getLong("id")),
                                rs.getTimestamp("mail_cutoff")));
        List<LockedOrder> completed = complete(locked);
        Tally tally = queueNotifications(completed);
        int moved = completed.size();
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

    /**
     * The statement with its {@code {ids}} replaced by the order ids as number literals: a chunk's
     * thousand ids bound one by one cost the driver more than the statement costs the server. They
     * are {@code long}s, so nothing but digits and commas enters the text.
     */
    static String withIds(String sql, Collection<Long> ids) {
        StringBuilder list = new StringBuilder(ids.size() * 8);
        for (long id : ids) {
            if (!list.isEmpty()) {
                list.append(',');
            }
            list.append(id);
        }
        return sql.replace("{ids}", list);
    }

    /** Moves the locked orders to completed; the ones the guarded UPDATE moved. */
    private List<LockedOrder> complete(List<LockedOrder> locked) {
        if (locked.isEmpty()) {
            return List.of();
        }
        List<Long> ids = locked.stream().map(LockedOrder::id).toList();
        int moved = jdbc.update(withIds(completeSql, ids));
        if (moved == locked.size()) {
            return locked;
        }
        // Fewer than locked: the guard saw what the tally did not (a task added or changed without
        // a lock the tally could see). The locked orders nobody else can move, so the completed
        // ones among them are exactly the ones this UPDATE moved.
        Set<Long> completedIds = new HashSet<>(jdbc.queryForList(withIds(COMPLETED_SQL, ids), Long.class));
        if (completedIds.size() != moved) {
            throw new IllegalStateException("completed " + moved + " orders but found " + completedIds.size()
                    + " of the locked ones completed; rolling the chunk back");
        }
        return locked.stream().filter(o -> completedIds.contains(o.id())).toList();
    }

    private Tally queueNotifications(List<LockedOrder> completed) {
        Tally tally = new Tally();
        if (completed.isEmpty()) {
            return tally;
        }
        List<NotificationStore.NewNotification> rows = new ArrayList<>(completed.size());
        for (LockedOrder order : completed) {
            // An order that already has a notification was completed before, reopened by someone
            // and completed again: its buyer was told once, so its row stays as it is.
            if (order.notified()) {
                tally.alreadyNotified++;
                log.warn("order {} already had a notification; kept it as it was", order.orderCode());
                continue;
            }
            EmailAddresses.Checked recipient = EmailAddresses.check(order.userEmail());
            String storedRecipient = recipient.ok() ? recipient.address() : truncate(order.userEmail(), 255);
            NotificationStatus status = notificationFor(order.isStale(), recipient);
            String error = null;
            if (status == NotificationStatus.SKIPPED) {
                error = backlog;
                tally.skipped++;
            } else if (status == NotificationStatus.FAILED) {
                error = recipient.problem();
                tally.failed++;
                log.warn("order {} completed without email: {}", order.orderCode(), error);
            } else {
                tally.queued++;
            }
            rows.add(new NotificationStore.NewNotification(
                    order.id(), order.orderCode(), storedRecipient, status, error));
        }
        notificationStore.insert(rows, stepExecution.getJobExecutionId());
        return tally;
    }

    /**
     * The notification a newly completed order gets: {@code skipped} when its newest task changed
     * longer than {@code reconciler.mail.max-age} ago (a backlog must not spam), else {@code failed}
     * when it has no usable recipient, else {@code queued}. {@link RunPreview} asks the same.
     */
    static boolean olderThanMaxAge(Timestamp newestTask, Timestamp cutoff) {
        return newestTask != null && cutoff != null && newestTask.before(cutoff);
    }

    static NotificationStatus notificationFor(boolean stale, EmailAddresses.Checked recipient) {
        if (stale) {
            return NotificationStatus.SKIPPED;
        }
        return recipient.ok() ? NotificationStatus.QUEUED : NotificationStatus.FAILED;
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

    private record LockedOrder(
            long id, String orderCode, String userEmail, boolean notified, Timestamp newestTask, Timestamp cutoff) {
        boolean isStale() {
            return olderThanMaxAge(newestTask, cutoff);
        }
    }
}
