package shop.reconciler.reconcile;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import shop.reconciler.ReconcilerProperties;
import shop.reconciler.db.DatabaseErrors;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.SqlText;
import shop.reconciler.outbox.EmailAddresses;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.text.Durations;
import shop.reconciler.text.Printable;

/**
 * Completes the finished orders of one chunk and queues their notifications, all in the chunk's
 * transaction, by set-based statements over the chunk's ids: no statement per order.
 *
 * <p><b>The usual path</b>, when the reader counted the chunk's tasks under shared locks in this
 * same transaction ({@link LockedTallies}): those tasks cannot have changed since, so their count
 * is the truth.
 *
 * <ol>
 *   <li>Move the orders to {@code completed} with a guarded UPDATE: still {@code processing}, and no
 *       task that is not terminal at this moment (only a task inserted since the count could still
 *       be one). If it moved fewer than all of them, someone changed an order meanwhile (the shop's
 *       webhook completed it): the UPDATE is undone to a savepoint and the careful path below tells
 *       which.
 *   <li>Ask which of them already have a notification (completed before, reopened, completed again:
 *       their row stays as it is).
 *   <li>Insert one {@code order_notifications} row for each of the others: the backlog's
 *       {@code skipped} rows (newest task older than {@code reconciler.mail.max-age}) copied by the
 *       server from the orders in one {@code INSERT ... SELECT}; {@code queued}, or {@code failed}
 *       without a usable recipient, in one batched insert, the address checked only for these.
 * </ol>
 *
 * <p><b>The careful path</b>, for a chunk written again after a lock conflict (a new transaction:
 * Spring Batch keeps the items, the reader's locks are gone), a tally read without locks, or an
 * UPDATE that moved fewer orders than it was given:
 *
 * <ol>
 *   <li>Count the chunk's tasks again under shared locks ({@code LOCK IN SHARE MODE}; H2, the
 *       demo's database, has none): from here on nobody can change or add those tasks. Which
 *       orders are finished now, and when each one's newest task last changed.
 *   <li>Lock the finished ones that are still {@code processing} ({@code SELECT ... FOR UPDATE}),
 *       reading their code, recipient, whether they already have a notification, and the
 *       {@code reconciler.mail.max-age} cut-off on the database's clock. Tasks first, then orders:
 *       the order in which the shop's webhooks lock them, so that the two wait for each other
 *       instead of deadlocking.
 *   <li>Move them to {@code completed} with the guarded UPDATE. The guard repeats the recount's
 *       verdict so that no isolation level or server setting can complete an unfinished order. If
 *       it moved fewer orders than were locked, the moved ones are read back.
 *   <li>Insert their notification rows as above. The unique {@code order_id} keeps an existing row
 *       as it is.
 * </ol>
 *
 * <p>One order's data stops nothing. The chunk is written under a savepoint; when the database
 * refuses it for a reason that is not a lock conflict or a lost connection (those fail the chunk
 * as they are, to be retried or to fail the step), the savepoint is rolled back and each half is
 * written again the same way, down to the single order that fails. That order is left as it was
 * (still {@code processing}, no notification), counted, logged once with its code, and recorded in
 * {@link WriteFailures} for {@code status}; the rest of the chunk commits. More than
 * {@code reconciler.max-write-failures} such orders in one step execution fail the step: then
 * something is wrong with every order, not with one.
 */
class CompletionWriter implements ItemWriter<OrderTally> {

    private static final Logger log = LoggerFactory.getLogger(CompletionWriter.class);

    static final String RECOUNT_TASKS_SQL = """
            SELECT t.order_id,
                   SUM(CASE WHEN t.status IS NULL OR {{taskStatus}} NOT IN ({{terminal}}) THEN 1 ELSE 0 END) AS open_tasks,
                   MAX(t.updated_at) AS newest_task
              FROM download_tasks t
             WHERE t.order_id IN ({{ids}})
             GROUP BY t.order_id
               {{shareLock}}
            """;

    static final String LOCK_SQL = """
            SELECT o.id, o.order_code, o.user_email,
                   EXISTS (SELECT 1 FROM {{notifications}} n WHERE n.order_id = o.id) AS notified,
                   TIMESTAMPADD(SECOND, -{{maxAgeSeconds}}, NOW(3)) AS mail_cutoff
              FROM orders o
             WHERE o.id IN ({{ids}}) AND {{orderIsProcessing}}
             ORDER BY o.id
               FOR UPDATE
            """;

    static final String COMPLETE_SQL = """
            UPDATE orders o
               SET o.order_status = 'completed'
             WHERE o.id IN ({{ids}})
               AND {{orderIsProcessing}}
               AND EXISTS (SELECT 1 FROM download_tasks t WHERE t.order_id = o.id)
               AND NOT EXISTS (SELECT 1 FROM download_tasks t
                                WHERE t.order_id = o.id
                                  AND (t.status IS NULL OR {{taskStatus}} NOT IN ({{terminal}})))
            """;

    /**
     * {@link #COMPLETE_SQL} where the recount's shared locks hold: the tasks it counted can be
     * neither changed nor deleted until the chunk commits, so every locked order still has a task.
     * Only a task inserted since (which READ COMMITTED would let through) can still make it
     * unfinished.
     */
    static final String COMPLETE_UNDER_SHARE_LOCKS_SQL = """
            UPDATE orders o
               SET o.order_status = 'completed'
             WHERE o.id IN ({{ids}})
               AND {{orderIsProcessing}}
               AND NOT EXISTS (SELECT 1 FROM download_tasks t
                                WHERE t.order_id = o.id
                                  AND (t.status IS NULL OR {{taskStatus}} NOT IN ({{terminal}})))
            """;

    static final String COMPLETED_SQL = """
            SELECT o.id FROM orders o WHERE o.id IN ({{ids}}) AND o.order_status = 'completed'
            """;

    private final JdbcTemplate jdbc;
    private final boolean copiesSkippedRows;
    private final NotificationStore notificationStore;
    private final String recountTasksSql;
    private final String lockSql;
    private final String completeSql;
    private final String backlog;
    private final WriteFailures writeFailures;
    private final int maxWriteFailures;
    private final StepExecution stepExecution;

    CompletionWriter(
            NamedParameterJdbcTemplate jdbc,
            Dialect dialect,
            WriteFailures writeFailures,
            ReconcilerProperties properties,
            NotificationStore notificationStore,
            StepExecution stepExecution) {
        this.jdbc = jdbc.getJdbcTemplate();
        // Every statement's text is complete before it runs, and runs as a plain statement (see
        // SqlText): the dialect's fragments and the validated configuration now, the ids per chunk.
        Map<String, String> parts = Map.of(
                "taskStatus", dialect.exact("t.status"),
                "orderIsProcessing", dialect.isProcessing("o.order_status"),
                "shareLock", dialect.shareLockClause(),
                "terminal", SqlText.literals(properties.terminalTaskStatuses()),
                "maxAgeSeconds", Long.toString(properties.mail().maxAge().toSeconds()));
        this.recountTasksSql = SqlText.fill(RECOUNT_TASKS_SQL, parts);
        this.lockSql = SqlText.fill(LOCK_SQL, notificationStore.tables().markers(parts));
        this.completeSql = SqlText.fill(dialect.hasShareLocks() ? COMPLETE_UNDER_SHARE_LOCKS_SQL : COMPLETE_SQL, parts);
        this.backlog = "newest task older than reconciler.mail.max-age ("
                + Durations.format(properties.mail().maxAge()) + ")";
        this.copiesSkippedRows = dialect.insertsFromSelectOnDuplicateKey();
        this.notificationStore = notificationStore;
        this.writeFailures = writeFailures;
        this.maxWriteFailures = properties.maxWriteFailures();
        this.stepExecution = stepExecution;
    }

    @Override
    public void write(Chunk<? extends OrderTally> chunk) {
        List<OrderTally> orders = List.copyOf(chunk.getItems());
        if (orders.isEmpty()) {
            return;
        }
        ChunkOutcome outcome;
        if (TransactionSynchronizationManager.isActualTransactionActive()
                && TransactionSynchronizationManager.hasResource(jdbc.getDataSource())) {
            Connection connection = DataSourceUtils.getConnection(jdbc.getDataSource());
            outcome = writeIsolating(orders, connection, new ChunkOutcome());
        } else {
            outcome = writeOrders(orders, null);
        }
        outcome.addTo(stepExecution.getExecutionContext());
    }

    /**
     * Writes the orders under a savepoint; if the database refuses them, writes each half again,
     * down to the order that fails, which is set aside. {@code soFar} is what this chunk set aside
     * before, for the step's limit.
     */
    private ChunkOutcome writeIsolating(List<OrderTally> orders, Connection connection, ChunkOutcome soFar) {
        Savepoint savepoint = savepoint(connection);
        try {
            ChunkOutcome outcome = writeOrders(orders, connection);
            release(connection, savepoint);
            return outcome;
        } catch (RuntimeException e) {
            if (!isOneOrdersFault(e, connection)) {
                throw e;
            }
            rollback(connection, savepoint, e);
            if (orders.size() == 1) {
                long before = StepCounters.get(stepExecution.getExecutionContext(), ReconcileCounters.WRITE_FAILURES);
                if (before + soFar.writeFailures.size() + 1 > maxWriteFailures) {
                    throw new WriteFailureLimitExceeded(maxWriteFailures, orders.get(0), e);
                }
                ChunkOutcome setAside = new ChunkOutcome();
                setAside(orders.get(0), e, connection);
                setAside.writeFailures.add(orders.get(0).orderCode());
                soFar.add(setAside);
                return setAside;
            }
            int half = orders.size() / 2;
            ChunkOutcome outcome = writeIsolating(orders.subList(0, half), connection, soFar);
            outcome.add(writeIsolating(orders.subList(half, orders.size()), connection, soFar));
            return outcome;
        }
    }

    /**
     * Whether the failure may be this order's own: {@link DatabaseErrors#mayBeOneRowsFault} (not a
     * lock conflict, which is retried, nor a time-out, a lost connection or a statement every
     * order would fail alike), and the connection still works.
     */
    static boolean isOneOrdersFault(RuntimeException e, Connection connection) {
        if (e instanceof WriteFailureLimitExceeded || !DatabaseErrors.mayBeOneRowsFault(e)) {
            return false;
        }
        try {
            return connection.isValid(5);
        } catch (SQLException invalid) {
            return false;
        }
    }

    /** Records the order that cannot be written; logs it once, after the chunk commits. */
    private void setAside(OrderTally order, RuntimeException cause, Connection connection) {
        String error = Printable.of(rootMessage(cause));
        Savepoint savepoint = savepoint(connection);
        boolean first;
        try {
            first = writeFailures.record(order.orderId(), order.orderCode(), error, stepExecution.getJobExecutionId());
            release(connection, savepoint);
        } catch (RuntimeException e) {
            rollback(connection, savepoint, e);
            log.error(
                    "order {} (id {}) could not be written ({}), nor recorded as such: {}",
                    Printable.of(order.orderCode()),
                    order.orderId(),
                    error,
                    Printable.of(rootMessage(e)));
            return;
        }
        if (first) {
            afterCommit(() -> log.warn(
                    "order {} (id {}) could not be written and is left processing, without notification: {};"
                            + " status lists it until it is completed",
                    Printable.of(order.orderCode()),
                    order.orderId(),
                    error));
        }
    }

    private static void afterCommit(Runnable action) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    action.run();
                }
            });
        } else {
            action.run();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static Savepoint savepoint(Connection connection) {
        try {
            return connection.setSavepoint();
        } catch (SQLException e) {
            throw new CannotCreateTransactionException("cannot set a savepoint: " + e.getMessage(), e);
        }
    }

    private static void release(Connection connection, Savepoint savepoint) {
        try {
            connection.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            throw new CannotCreateTransactionException("cannot release a savepoint: " + e.getMessage(), e);
        }
    }

    private static void rollback(Connection connection, Savepoint savepoint) {
        try {
            connection.rollback(savepoint);
        } catch (SQLException e) {
            throw new CannotCreateTransactionException("cannot roll back to a savepoint: " + e.getMessage(), e);
        }
    }

    private static void rollback(Connection connection, Savepoint savepoint, RuntimeException cause) {
        try {
            connection.rollback(savepoint);
        } catch (SQLException e) {
            cause.addSuppressed(e);
            throw cause;
        }
    }

    /** Thrown when a step execution has set aside more orders than {@code reconciler.max-write-failures}. */
    static final class WriteFailureLimitExceeded extends RuntimeException {
        WriteFailureLimitExceeded(int limit, OrderTally order, Throwable cause) {
            super(
                    "more than reconciler.max-write-failures (" + limit + ") orders could not be written;"
                            + " the last one, " + Printable.of(order.orderCode()) + " (id " + order.orderId()
                            + "): " + Printable.of(rootMessage(cause)),
                    cause);
        }
    }

    /**
     * Writes the orders: by the usual path of the class comment when the reader counted their
     * tasks under shared locks in this transaction ({@link LockedTallies}), else by the careful
     * one. {@code connection} is the transaction's, or null outside one.
     */
    private ChunkOutcome writeOrders(List<OrderTally> orders, Connection connection) {
        if (connection != null) {
            ChunkOutcome counted = writeCounted(orders, connection);
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
    private ChunkOutcome writeCounted(List<OrderTally> orders, Connection connection) {
        List<Long> ids = orders.stream().map(OrderTally::orderId).toList();
        if (!LockedTallies.cover(jdbc.getDataSource(), ids)) {
            return null;
        }
        if (!orders.stream().allMatch(OrderTally::isFinished)) {
            return null;
        }
        Savepoint beforeUpdate = savepoint(connection);
        int moved = jdbc.update(withIds(completeSql, ids));
        if (moved != orders.size()) {
            rollback(connection, beforeUpdate);
            return null;
        }
        release(connection, beforeUpdate);
        Set<Long> notified = notificationStore.notifiedAmong(ids);
        ChunkOutcome outcome = queueNotifications(orders.stream()
                .map(o -> new Completed(
                        o.orderId(), o.orderCode(), o.userEmail(), notified.contains(o.orderId()), o.stale()))
                .toList());
        outcome.completed = orders.size();
        return outcome;
    }

    /** The careful path of the class comment. */
    private ChunkOutcome writeRecounted(List<OrderTally> orders) {
        List<Long> candidates = orders.stream().map(OrderTally::orderId).toList();
        Map<Long, Timestamp> finishedNow = new HashMap<>(candidates.size() * 2);
        jdbc.query(withIds(recountTasksSql, candidates), (RowCallbackHandler) rs -> {
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
        ChunkOutcome outcome = queueNotifications(completed.stream()
                .map(o -> new Completed(o.id(), o.orderCode(), o.userEmail(), o.notified(), o.isStale()))
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
        Set<Long> completedIds = new HashSet<>(jdbc.queryForList(withIds(COMPLETED_SQL, ids), Long.class));
        if (completedIds.size() != moved) {
            throw new IllegalStateException("completed " + moved + " orders but found " + completedIds.size()
                    + " of the locked ones completed; rolling the chunk back");
        }
        return locked.stream().filter(o -> completedIds.contains(o.id())).toList();
    }

    /**
     * One notification row per completed order that has none: {@code skipped} for a backlog (copied
     * by the server in one statement where it can, see {@link NotificationStore#insertSkipped}),
     * else {@code failed} without a usable recipient, else {@code queued}; the address is checked
     * only for the orders that get an email.
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
            if (order.stale()) {
                outcome.skipped++;
                if (copiesSkippedRows) {
                    skipped.add(order.id());
                    continue;
                }
            }
            EmailAddresses.Checked recipient = EmailAddresses.check(order.userEmail());
            String storedRecipient = recipient.ok() ? recipient.address() : truncate(order.userEmail(), 255);
            NotificationStatus status = notificationFor(order.stale(), recipient);
            String error = null;
            if (status == NotificationStatus.SKIPPED) {
                error = backlog;
            } else if (status == NotificationStatus.FAILED) {
                error = recipient.problem();
                outcome.noRecipient.add(order.orderCode());
            } else {
                outcome.queued++;
            }
            rows.add(new NotificationStore.NewNotification(
                    order.id(), order.orderCode(), storedRecipient, status, error));
        }
        notificationStore.insertSkipped(skipped, backlog, stepExecution.getJobExecutionId());
        notificationStore.insert(rows, stepExecution.getJobExecutionId());
        return outcome;
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

    /** An order this chunk moved to {@code completed}, with what its notification needs. */
    private record Completed(long id, String orderCode, String userEmail, boolean notified, boolean stale) {}

    private record LockedOrder(
            long id, String orderCode, String userEmail, boolean notified, Timestamp newestTask, Timestamp cutoff) {
        boolean isStale() {
            return olderThanMaxAge(newestTask, cutoff);
        }
    }
}
