package shop.reconciler.reconcile;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.SqlText;

/**
 * Reads {@code processing} orders with their task tallies, a page at a time.
 *
 * <ol>
 *   <li>One query per page: the next {@code pageSize} processing orders after the last id seen
 *       (keyset on {@code idx_orders_status_id}, never an offset), joined to their tasks and
 *       aggregated in SQL (on {@code idx_download_tasks_order_status}): each task row is read once
 *       per chunk, here. With it come what the writer needs for the notification (the recipient as
 *       stored, whether the order has a notification already, whether its newest task is older
 *       than {@code reconciler.mail.max-age}).
 *   <li>In the step the page is read inside the chunk's transaction, with shared locks on the
 *       tasks it counts ({@code LOCK IN SHARE MODE}; H2 has none): until the chunk commits nobody
 *       can change them. The ids of such a page are registered with the transaction
 *       ({@link LockedTallies}), so that the writer knows it need not count them again. {@code plan}
 *       reads the same page without locks.
 *   <li>The last id handed out is saved in the step's execution context at each chunk commit, so
 *       a restart resumes after the last committed chunk. Orders that left {@code processing}
 *       meanwhile are simply not found again; none is skipped by counting.
 *   <li>In a partition ({@code reconciler.partitions} above 1) the execution context starts with
 *       the partition's range: it begins after {@link #LAST_ORDER_ID} and ends at
 *       {@link #UP_TO_ORDER_ID}, inclusive.
 * </ol>
 */
class ProcessingOrderReader implements ItemStreamReader<OrderTally> {

    private static final Logger log = LoggerFactory.getLogger(ProcessingOrderReader.class);

    static final String LAST_ORDER_ID = "reconcile.lastOrderId";
    static final String UP_TO_ORDER_ID = "reconcile.upToOrderId";

    /**
     * {@code {{taskStatus}}} and {@code {{orderIsProcessing}}} compare statuses exactly (see
     * {@link Dialect}); {@code :name} values are bound.
     */
    static final String PAGE_SQL = """
            SELECT o.id, o.order_code, o.user_email, o.notified,
                   COUNT(t.id) AS task_count,
                   COALESCE(SUM(CASE WHEN t.id IS NULL OR {{taskStatus}} IN (:terminal) THEN 0 ELSE 1 END), 0) AS open_tasks,
                   COALESCE(SUM(CASE WHEN t.id IS NULL OR {{taskStatus}} IN (:known) THEN 0 ELSE 1 END), 0) AS unknown_tasks,
                   CASE WHEN MAX(t.updated_at) < TIMESTAMPADD(SECOND, -:maxAgeSeconds, NOW(3)) THEN 1 ELSE 0 END AS stale
              FROM (SELECT o.id, o.order_code, o.user_email,
                           CASE WHEN EXISTS (SELECT 1 FROM order_notifications n WHERE n.order_id = o.id)
                                THEN 1 ELSE 0 END AS notified
                      FROM orders o
                     WHERE {{orderIsProcessing}} AND o.id > :afterId AND o.id <= :upToId
                     ORDER BY o.id
                     LIMIT :pageSize) o
              LEFT JOIN download_tasks t ON t.order_id = o.id
             GROUP BY o.id, o.order_code, o.user_email, o.notified
             ORDER BY o.id
               {{shareLock}}
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final String pageSql;
    private final String unlockedPageSql;
    private final List<String> terminalStatuses;
    private final List<String> knownStatuses;
    private final int pageSize;
    private final long maxAgeSeconds;
    private final boolean underLock;
    private final Deque<OrderTally> page = new ArrayDeque<>();
    private long lastFetchedId;
    private long lastReturnedId;
    private long upToId = Long.MAX_VALUE;
    private boolean exhausted;

    /**
     * @param underLock whether the page takes shared locks on its tasks and registers itself with
     *     the transaction (the step); false for a preview that writes nothing
     */
    ProcessingOrderReader(
            NamedParameterJdbcTemplate jdbc,
            Dialect dialect,
            List<String> terminalStatuses,
            int pageSize,
            Duration maxAge,
            boolean underLock) {
        this.jdbc = jdbc;
        this.underLock = underLock && dialect.hasShareLocks();
        Map<String, String> parts = Map.of(
                "taskStatus", dialect.exact("t.status"), "orderIsProcessing", dialect.isProcessing("o.order_status"));
        this.unlockedPageSql = SqlText.fill(SqlText.fill(PAGE_SQL, parts), Map.of("shareLock", ""));
        this.pageSql = this.underLock
                ? SqlText.fill(SqlText.fill(PAGE_SQL, parts), Map.of("shareLock", dialect.shareLockClause()))
                : unlockedPageSql;
        this.terminalStatuses = terminalStatuses;
        this.knownStatuses = ShopStatuses.known(terminalStatuses);
        this.pageSize = pageSize;
        this.maxAgeSeconds = maxAge.toSeconds();
    }

    @Override
    public void open(ExecutionContext context) {
        lastReturnedId = context.getLong(LAST_ORDER_ID, 0L);
        lastFetchedId = lastReturnedId;
        upToId = context.getLong(UP_TO_ORDER_ID, Long.MAX_VALUE);
        page.clear();
        exhausted = false;
    }

    @Override
    public OrderTally read() {
        if (page.isEmpty() && !exhausted) {
            fetchPage();
        }
        OrderTally next = page.poll();
        if (next != null) {
            lastReturnedId = next.orderId();
        }
        return next;
    }

    private void fetchPage() {
        Map<String, Object> params = new HashMap<>();
        params.put("terminal", terminalStatuses);
        params.put("known", knownStatuses);
        params.put("afterId", lastFetchedId);
        params.put("upToId", upToId);
        params.put("pageSize", pageSize);
        params.put("maxAgeSeconds", maxAgeSeconds);
        boolean locked = underLock;
        List<OrderTally> rows;
        try {
            rows = jdbc.query(pageSql, params, ProcessingOrderReader::tally);
        } catch (PessimisticLockingFailureException e) {
            if (!locked) {
                throw e;
            }
            // A webhook holds some task of the page longer than the lock wait, or a deadlock chose
            // this read: the page is read without locks, and the writer counts the finished orders'
            // tasks again under its own locks, where a conflict rolls the chunk back and retries it.
            // (The page is the chunk transaction's first statement: a deadlock's rollback of the
            // transaction loses nothing.)
            log.debug("page after order id {} read without locks: {}", lastFetchedId, e.getMessage());
            locked = false;
            rows = jdbc.query(unlockedPageSql, params, ProcessingOrderReader::tally);
        }
        if (locked) {
            LockedTallies.register(jdbc.getJdbcTemplate().getDataSource(), rows);
        }
        page.addAll(rows);
        if (rows.size() < pageSize) {
            exhausted = true;
        }
        if (!rows.isEmpty()) {
            lastFetchedId = rows.get(rows.size() - 1).orderId();
        }
    }

    private static OrderTally tally(ResultSet rs, int rowNum) throws SQLException {
        return new OrderTally(
                rs.getLong("id"),
                rs.getString("order_code"),
                rs.getLong("task_count"),
                rs.getLong("open_tasks"),
                rs.getLong("unknown_tasks"),
                rs.getString("user_email"),
                rs.getInt("notified") == 1,
                rs.getInt("stale") == 1);
    }

    @Override
    public void update(ExecutionContext context) {
        context.putLong(LAST_ORDER_ID, lastReturnedId);
    }

    @Override
    public void close() {
        page.clear();
    }
}
