package shop.reconciler.reconcile;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.ShopIndexes;
import shop.reconciler.db.SqlText;

/**
 * Reads {@code processing} orders with their task tallies, a page at a time, in two statements.
 *
 * <ol>
 *   <li>The page: the next {@code pageSize} processing orders after the last id seen (keyset on
 *       {@code idx_orders_status_id}, never an offset), with what the writer needs for the
 *       notification (code, recipient as stored).
 *   <li>The tally: their tasks counted by the server, grouped in the order of
 *       {@code idx_download_tasks_order_status} over the page's ids: each task row is read once per
 *       chunk, here. Per order: how many tasks, how many not terminal, how many of a status nobody
 *       defined, how many not terminal and unchanged for longer than
 *       {@code reconciler.stuck-task-after}, and whether the newest one changed longer than
 *       {@code reconciler.mail.max-age} ago (by the database's clock). An order without a row there has no task. (One statement that
 *       joins the page to the tasks and groups the join needs a temporary table and a sort: about
 *       twice the time of the two, measured on MariaDB 10.11.)
 *   <li>In the step both run inside the chunk's transaction, the tally with shared locks on the
 *       tasks it counts ({@code LOCK IN SHARE MODE}; see {@link Dialect#shareLockClause} for H2): until the chunk commits nobody
 *       can change them. The ids of such a page are registered with the transaction
 *       ({@link LockedTallies}), so that the writer knows it need not count them again. A lock
 *       conflict there (a webhook holding a task past the lock wait, a deadlock, a task changed
 *       since the page's snapshot: {@link shop.reconciler.db.DatabaseErrors}) reads the tally
 *       without locks instead, and the writer then counts again under its own. {@code plan} reads
 *       without locks.
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
     * {@code {{orderIsCandidate}}} is the rule ({@link OrderRules}) and {@code {{indexHint}}} names
     * the index on {@code (order_status, id)} where there is one (see {@link Dialect}); {@code :name}
     * values are bound.
     */
    static final String PAGE_SQL = """
            SELECT o.id, o.order_code, o.user_email
              FROM orders o {{indexHint}}
             WHERE {{orderIsCandidate}} AND o.id > :afterId AND o.id <= :upToId
             ORDER BY o.id
             LIMIT :pageSize
            """;

    /**
     * A plain statement whose text is complete (see {@link SqlText}): the page's tasks (see
     * {@link #tasksOfPage}) and the rules ({@link OrderRules}: terminal, known status, backlog) as
     * fragments.
     */
    static final String TALLY_SQL = """
            SELECT t.order_id,
                   COUNT(*) AS task_count,
                   SUM(CASE WHEN {{taskIsTerminal}} THEN 0 ELSE 1 END) AS open_tasks,
                   SUM(CASE WHEN {{taskIsKnown}} THEN 0 ELSE 1 END) AS unknown_tasks,
                   SUM(CASE WHEN {{taskIsStuck}} THEN 1 ELSE 0 END) AS stuck_tasks,
                   CASE WHEN MAX(t.updated_at) < {{backlogCutoff}} THEN 1 ELSE 0 END AS stale
              FROM download_tasks t
             WHERE {{tasksOfPage}}
             GROUP BY t.order_id
               {{shareLock}}
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final String pageSql;
    private final String tallySql;
    private final String unlockedTallySql;
    private final int pageSize;
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
            NamedParameterJdbcTemplate jdbc, Dialect dialect, OrderRules rules, int pageSize, boolean underLock) {
        this.jdbc = jdbc;
        this.underLock = underLock;
        this.pageSql = SqlText.fill(
                rules.fill(PAGE_SQL),
                Map.of(
                        "indexHint",
                        dialect.isMySqlFamily()
                                ? dialect.forceIndex(ShopIndexes.ordersByStatusAndId(
                                        jdbc.getJdbcTemplate().getDataSource()))
                                : ""));
        String tally = rules.fill(TALLY_SQL);
        this.unlockedTallySql = SqlText.fill(tally, Map.of("shareLock", ""));
        this.tallySql =
                this.underLock ? SqlText.fill(tally, Map.of("shareLock", dialect.shareLockClause())) : unlockedTallySql;
        this.pageSize = pageSize;
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
        List<PageRow> rows = jdbc.query(
                pageSql,
                Map.of("afterId", lastFetchedId, "upToId", upToId, "pageSize", pageSize),
                (rs, n) -> new PageRow(rs.getLong("id"), rs.getString("order_code"), rs.getString("user_email")));
        if (rows.size() < pageSize) {
            exhausted = true;
        }
        if (rows.isEmpty()) {
            return;
        }
        lastFetchedId = rows.get(rows.size() - 1).id();
        List<Long> ids = rows.stream().map(PageRow::id).toList();
        Map<Long, Tally> tallies = new HashMap<>(ids.size() * 2);
        boolean locked = underLock;
        try {
            readTallies(tallySql, ids, tallies);
        } catch (PessimisticLockingFailureException e) {
            if (!locked) {
                throw e;
            }
            // A webhook holds some task of the page longer than the lock wait, a deadlock chose
            // this read, or a task changed since the page's snapshot (MariaDB's snapshot isolation,
            // see DatabaseErrors): the tally is read without locks, and the writer counts the
            // finished orders' tasks again under its own locks, where a conflict rolls the chunk
            // back and retries it. (The page is the chunk transaction's first work: a rollback of
            // the transaction by the server loses nothing.)
            log.debug("tasks of the page up to order id {} counted without locks: {}", lastFetchedId, e.getMessage());
            locked = false;
            tallies.clear();
            readTallies(unlockedTallySql, ids, tallies);
        }
        List<OrderTally> read = new ArrayList<>(rows.size());
        for (PageRow row : rows) {
            Tally t = tallies.getOrDefault(row.id(), Tally.NONE);
            read.add(new OrderTally(
                    row.id(),
                    row.orderCode(),
                    t.tasks(),
                    t.open(),
                    t.unknown(),
                    row.userEmail(),
                    t.stale(),
                    t.stuck()));
        }
        if (locked) {
            LockedTallies.register(jdbc.getJdbcTemplate().getDataSource(), read);
        }
        page.addAll(read);
    }

    /**
     * Which tasks the tally reads. Where the page's orders are most of the ids between its first
     * and last (a first run over a backlog, where nine orders in ten are processing), one range of
     * the tasks' index from the first to the last: the tasks are read in one pass in index order,
     * as the set-based floor's aggregate-once form reads them, instead of one look-up
     * per order; the tallies of orders in the range that are not in the page are read and left
     * out. Where they are sparse (later runs, a few open orders among completed ones), their ids.
     */
    static String tasksOfPage(List<Long> ids) {
        long first = ids.get(0);
        long last = ids.get(ids.size() - 1);
        return ids.size() >= MIN_RANGE_PAGE && (last - first + 1) <= 2L * ids.size()
                ? "t.order_id BETWEEN " + first + " AND " + last
                : "t.order_id IN ({{ids}})";
    }

    /** Below this many orders a page's tally looks its orders up one by one. */
    static final int MIN_RANGE_PAGE = 100;

    private void readTallies(String sql, List<Long> ids, Map<Long, Tally> into) {
        String complete = SqlText.withIds(SqlText.fill(sql, Map.of("tasksOfPage", tasksOfPage(ids))), ids);
        jdbc.getJdbcTemplate().query(complete, (RowCallbackHandler) rs -> into.put(
                rs.getLong("order_id"),
                new Tally(
                        rs.getLong("task_count"),
                        rs.getLong("open_tasks"),
                        rs.getLong("unknown_tasks"),
                        rs.getInt("stale") == 1,
                        rs.getLong("stuck_tasks"))));
    }

    private record PageRow(long id, String orderCode, String userEmail) {}

    private record Tally(long tasks, long open, long unknown, boolean stale, long stuck) {
        static final Tally NONE = new Tally(0, 0, 0, false, 0);
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
