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
import javax.sql.DataSource;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.SqlText;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;

/**
 * Completes the finished orders of (part of) a chunk and queues their notifications, in the
 * chunk's transaction, by set-based statements over the chunk's ids: no statement per order. The
 * rules ("candidate", "finished", "backlog", "usable recipient") are {@link OrderRules}'.
 *
 * <p><b>The usual path</b>, when the reader counted the chunk's tasks under shared locks in this
 * same transaction ({@link LockedTallies}): those tasks cannot have changed since, so their count
 * is the truth.
 *
 * <ol>
 *   <li>Move the orders to {@code completed} with a guarded UPDATE: still a candidate, and no task
 *       that is not terminal at this moment (only a task inserted since the count could still be
 *       one). Where the count's locks keep such inserts out as well (an InnoDB table with an index
 *       led by {@code order_id}, read at REPEATABLE READ or SERIALIZABLE: {@link
 *       shop.reconciler.db.Dialect#lockingReadsLockGaps}), no task can have been inserted since,
 *       and the UPDATE asks only whether they are still candidates ({@link #COMPLETE_COUNTED_SQL}).
 *       If it moved fewer than all of them, someone changed an order meanwhile (the shop's
 *       webhook completed it): the UPDATE, run in a nested transaction, is undone and the careful
 *       path below tells which.
 *   <li>Ask which of them already have a notification (completed before, reopened, completed again:
 *       their row stays as it is).
 *   <li>Insert one {@code order_notifications} row for each of the others: the backlog's
 *       {@code skipped} rows copied by the server from the orders in one {@code INSERT ... SELECT};
 *       {@code queued}, or {@code failed} without a usable recipient, in one batched insert, the
 *       address checked only for these.
 * </ol>
 *
 * <p><b>The careful path</b>, for a chunk written again after a lock conflict (a new transaction:
 * Spring Batch keeps the items, the reader's locks are gone), a tally read without locks, or an
 * UPDATE that moved fewer orders than it was given:
 *
 * <ol>
 *   <li>Count the chunk's tasks again under shared locks ({@code LOCK IN SHARE MODE}, see
 *       {@link shop.reconciler.db.Dialect#shareLockClause}): from here on nobody can change or add
 *       those tasks. Which orders are finished now, and when each one's newest task last changed.
 *   <li>Lock the finished ones that are still candidates ({@code SELECT ... FOR UPDATE}), reading
 *       their code, recipient, whether they already have a notification, and the backlog cut-off on
 *       the database's clock. Tasks first, then orders: the order in which the shop's webhooks lock
 *       them, so that the two wait for each other instead of deadlocking.
 *   <li>Move them to {@code completed} with the guarded UPDATE. The guard repeats the recount's
 *       verdict so that no isolation level or server setting can complete an unfinished order. If
 *       it moved fewer orders than were locked, the moved ones are read back.
 *   <li>Insert their notification rows as above. The unique {@code order_id} keeps an existing row
 *       as it is.
 * </ol>
 */
final class ChunkCompletion {

    static final String RECOUNT_TASKS_SQL = """
            SELECT t.order_id,
                   SUM(CASE WHEN {{taskIsOpen}} THEN 1 ELSE 0 END) AS open_tasks,
                   MAX(t.updated_at) AS newest_task
              FROM download_tasks t
             WHERE t.order_id IN ({{ids}})
             GROUP BY t.order_id
               {{shareLock}}
            """;

    static final String LOCK_SQL = """
            SELECT o.id, o.order_code, o.user_email,
                   EXISTS (SELECT 1 FROM {{notifications}} n WHERE n.order_id = o.id) AS notified,
                   {{backlogCutoff}} AS mail_cutoff
              FROM orders o
             WHERE o.id IN ({{ids}}) AND {{orderIsCandidate}}
             ORDER BY o.id
               FOR UPDATE
            """;

    /**
     * The usual path's UPDATE where the reader's shared locks also locked the gaps of what they
     * counted (next-key locks, see {@link shop.reconciler.db.Dialect#lockingReadsLockGaps}): nobody
     * can have inserted a task for a counted order, or moved one to it, since the count, so the
     * counted tasks are all the order has and the count's verdict stands. What is left to ask is
     * whether each order is still a candidate.
     */
    static final String COMPLETE_COUNTED_SQL = """
            UPDATE orders o
               SET o.order_status = {{completed}}
             WHERE o.id IN ({{ids}})
               AND {{orderIsCandidate}}
            """;

    /**
     * The guarded UPDATE, where the recount's (or the reader's) shared locks hold: the tasks it
     * counted can be neither changed nor deleted until the chunk commits, so every order counted as
     * finished still has a task. Only a task inserted since (which READ COMMITTED would let
     * through) can still make it unfinished.
     */
    static final String COMPLETE_SQL = COMPLETE_COUNTED_SQL + """
               AND {{orderHasNoOpenTask}}
            """;

    static final String COMPLETED_SQL = """
            SELECT o.id FROM orders o WHERE o.id IN ({{ids}}) AND {{orderIsCompleted}}
            """;

    private final JdbcTemplate jdbc;
    private final OrderRules rules;
    private final NotificationStore notificationStore;
    private final NestedTransactions nested;
    private final long jobExecutionId;
    private final String recountTasksSql;
    private final String lockSql;
    private final String completeSql;
    private final String completeCountedSql;
    private final String completedSql;
    private final Dialect dialect;
    private final boolean tasksLockableByOrder;

    /**
     * @param tasksLockableByOrder whether {@code download_tasks} is a table whose locking reads by
     *     order lock their gaps (asked once per step: {@link Dialect#lockingReadsCanLockGaps})
     */
    ChunkCompletion(
            JdbcTemplate jdbc,
            Dialect dialect,
            boolean tasksLockableByOrder,
            OrderRules rules,
            NotificationStore notificationStore,
            NestedTransactions nested,
            long jobExecutionId) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.tasksLockableByOrder = tasksLockableByOrder;
        String shareLockClause = dialect.shareLockClause();
        this.rules = rules;
        this.notificationStore = notificationStore;
        this.nested = nested;
        this.jobExecutionId = jobExecutionId;
        // Every statement's text is complete before it runs, and runs as a plain statement (see
        // SqlText): the rules and the dialect's fragment now, the ids per chunk.
        this.recountTasksSql = SqlText.fill(rules.fill(RECOUNT_TASKS_SQL), Map.of("shareLock", shareLockClause));
        this.lockSql = notificationStore.tables().fill(rules.fill(LOCK_SQL));
        this.completeSql = rules.fill(COMPLETE_SQL);
        this.completeCountedSql = rules.fill(COMPLETE_COUNTED_SQL);
        this.completedSql = rules.fill(COMPLETED_SQL);
    }

    private DataSource dataSource() {
        return jdbc.getDataSource();
    }

    /**
     * Writes the orders: by the usual path of the class comment when the reader counted their
     * tasks under shared locks in this transaction ({@link LockedTallies}), else by the careful
     * one. {@code inTransaction}: whether a transaction of the chunk's holds the connection.
     */
    ChunkOutcome write(List<OrderTally> orders, boolean inTransaction) {
        if (inTransaction) {
            ChunkOutcome counted = writeCounted(orders);
            if (counted != null) {
                return counted;
            }
        }
        return writeRecounted(orders);
    }

    /**
     * The orders as the reader counted them, when it did so under shared locks in this
     * transaction: their tasks cannot have changed since, so the finished ones need no second
     * count and no lock of their own before the guarded UPDATE. Only someone who changed an order
     * itself meanwhile (a webhook that completed it) can make the UPDATE move fewer than all of
     * them; then the UPDATE is undone and the careful path tells which. Null when this path does
     * not apply.
     */
    private ChunkOutcome writeCounted(List<OrderTally> orders) {
        List<Long> ids = orders.stream().map(OrderTally::orderId).toList();
        if (!LockedTallies.cover(dataSource(), ids)) {
            return null;
        }
        if (!orders.stream().allMatch(OrderTally::isFinished)) {
            return null;
        }
        String update = countKeptInsertsOut() ? completeCountedSql : completeSql;
        boolean allMoved = nested.run(status -> {
            if (jdbc.update(withIds(update, ids)) != orders.size()) {
                status.setRollbackOnly();
                return false;
            }
            return true;
        });
        if (!allMoved) {
            return null;
        }
        Set<Long> notified = notificationStore.notifiedAmong(ids);
        ChunkOutcome outcome = queueNotifications(orders.stream()
                .map(o -> new Completed(
                        o.orderId(), o.orderCode(), o.userEmail(), notified.contains(o.orderId()), o.stale()))
                .toList());
        outcome.completed = orders.size();
        return outcome;
    }

    /**
     * Whether the reader's shared locks in this transaction also keep new tasks out of the orders
     * they counted: the table allows it (once per step) and the transaction's isolation takes gap
     * locks (asked of its connection, once per chunk).
     */
    private boolean countKeptInsertsOut() {
        return tasksLockableByOrder
                && Boolean.TRUE.equals(jdbc.execute((ConnectionCallback<Boolean>) dialect::lockingReadsLockGaps));
    }

    /** The careful path of the class comment. */
    private ChunkOutcome writeRecounted(List<OrderTally> orders) {
        List<Long> candidates = orders.stream().map(OrderTally::orderId).toList();
        Map<Long, Timestamp> finishedNow = new HashMap<>(candidates.size() * 2);
        jdbc.query(withIds(recountTasksSql, candidates), (RowCallbackHandler) rs -> {
            // a row per order with a task: finished when none of them is open
            if (OrderRules.isFinished(1, rs.getLong("open_tasks"))) {
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
                                OrderRules.isBacklog(
                                        finishedNow.get(rs.getLong("id")), rs.getTimestamp("mail_cutoff"))));
        List<LockedOrder> completed = complete(locked);
        ChunkOutcome outcome = queueNotifications(completed.stream()
                .map(o -> new Completed(o.id(), o.orderCode(), o.userEmail(), o.notified(), o.backlog()))
                .toList());
        outcome.completed = completed.size();
        if (completed.size() < orders.size()) {
            Set<Long> completedIds = new HashSet<>();
            completed.forEach(c -> completedIds.add(c.id()));
            orders.stream()
                    .filter(o -> !completedIds.contains(o.orderId()))
                    .forEach(o -> outcome.changedBeforeWrite.add(o.orderCode()));
        }
        return outcome;
    }

    private static String withIds(String sql, Collection<Long> ids) {
        return SqlText.withIds(sql, ids);
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
        Set<Long> completedIds = new HashSet<>(jdbc.queryForList(withIds(completedSql, ids), Long.class));
        if (completedIds.size() != moved) {
            throw new IllegalStateException("completed " + moved + " orders but found " + completedIds.size()
                    + " of the locked ones completed; rolling the chunk back");
        }
        return locked.stream().filter(o -> completedIds.contains(o.id())).toList();
    }

    /**
     * One notification row per completed order that has none ({@link OrderRules#mailFor}):
     * {@code skipped} for a backlog, copied by the server in one statement
     * ({@link NotificationStore#insertSkipped}), else {@code failed} without a usable recipient,
     * else {@code queued}.
     */
    private ChunkOutcome queueNotifications(List<Completed> completed) {
        ChunkOutcome outcome = new ChunkOutcome();
        if (completed.isEmpty()) {
            return outcome;
        }
        List<NotificationStore.NewNotification> rows = new ArrayList<>();
        List<Long> skipped = new ArrayList<>();
        for (Completed order : completed) {
            // An order that already has a notification was completed before, reopened by someone
            // and completed again: its buyer was told once, so its row stays as it is.
            if (order.notified()) {
                outcome.alreadyNotified.add(order.orderCode());
                continue;
            }
            OrderRules.Mail mail = rules.mailFor(order.backlog(), order.userEmail());
            if (mail.status() == NotificationStatus.SKIPPED) {
                outcome.skipped++;
                skipped.add(order.id());
                continue;
            }
            if (mail.status() == NotificationStatus.FAILED) {
                outcome.noRecipient.add(order.orderCode());
            } else {
                outcome.queued++;
            }
            rows.add(new NotificationStore.NewNotification(
                    order.id(), order.orderCode(), mail.recipient(), mail.status(), mail.error()));
        }
        notificationStore.insertSkipped(skipped, rules.backlogReason(), jobExecutionId);
        notificationStore.insert(rows, jobExecutionId);
        return outcome;
    }

    /** An order this chunk moved to {@code completed}, with what its notification needs. */
    private record Completed(long id, String orderCode, String userEmail, boolean notified, boolean backlog) {}

    private record LockedOrder(long id, String orderCode, String userEmail, boolean notified, boolean backlog) {}
}
