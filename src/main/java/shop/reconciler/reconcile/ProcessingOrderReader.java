package shop.reconciler.reconcile;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.SqlText;

/**
 * Reads {@code processing} orders with their task tallies, a page at a time.
 *
 * <ol>
 *   <li>One query per page: the next {@code pageSize} processing orders after the last id seen
 *       (keyset on {@code idx_orders_status_id}, never an offset), joined to their tasks and
 *       aggregated in SQL (on {@code idx_download_tasks_order_status}).
 *   <li>The last id handed out is saved in the step's execution context at each chunk commit, so
 *       a restart resumes after the last committed chunk. Orders that left {@code processing}
 *       meanwhile are simply not found again; none is skipped by counting.
 *   <li>In a partition ({@code reconciler.partitions} above 1) the execution context starts with
 *       the partition's range: it begins after {@link #LAST_ORDER_ID} and ends at
 *       {@link #UP_TO_ORDER_ID}, inclusive.
 * </ol>
 */
class ProcessingOrderReader implements ItemStreamReader<OrderTally> {

    static final String LAST_ORDER_ID = "reconcile.lastOrderId";
    static final String UP_TO_ORDER_ID = "reconcile.upToOrderId";

    /**
     * {@code {{taskStatus}}} and {@code {{orderIsProcessing}}} compare statuses exactly (see
     * {@link Dialect}); {@code :name} values are bound.
     */
    static final String PAGE_SQL = """
            SELECT o.id, o.order_code,
                   COUNT(t.id) AS task_count,
                   COALESCE(SUM(CASE WHEN t.id IS NULL OR {{taskStatus}} IN (:terminal) THEN 0 ELSE 1 END), 0) AS open_tasks,
                   COALESCE(SUM(CASE WHEN t.id IS NULL OR {{taskStatus}} IN (:known) THEN 0 ELSE 1 END), 0) AS unknown_tasks
              FROM (SELECT o.id, o.order_code
                      FROM orders o
                     WHERE {{orderIsProcessing}} AND o.id > :afterId AND o.id <= :upToId
                     ORDER BY o.id
                     LIMIT :pageSize) o
              LEFT JOIN download_tasks t ON t.order_id = o.id
             GROUP BY o.id, o.order_code
             ORDER BY o.id
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final String pageSql;
    private final List<String> terminalStatuses;
    private final List<String> knownStatuses;
    private final int pageSize;
    private final Deque<OrderTally> page = new ArrayDeque<>();
    private long lastFetchedId;
    private long lastReturnedId;
    private long upToId = Long.MAX_VALUE;
    private boolean exhausted;

    ProcessingOrderReader(
            NamedParameterJdbcTemplate jdbc, Dialect dialect, List<String> terminalStatuses, int pageSize) {
        this.jdbc = jdbc;
        this.pageSql = SqlText.fill(
                PAGE_SQL,
                Map.of(
                        "taskStatus", dialect.exact("t.status"),
                        "orderIsProcessing", dialect.isProcessing("o.order_status")));
        this.terminalStatuses = terminalStatuses;
        this.knownStatuses = ShopStatuses.known(terminalStatuses);
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
        List<OrderTally> rows = jdbc.query(
                pageSql,
                Map.of(
                        "terminal",
                        terminalStatuses,
                        "known",
                        knownStatuses,
                        "afterId",
                        lastFetchedId,
                        "upToId",
                        upToId,
                        "pageSize",
                        pageSize),
                (rs, n) -> new OrderTally(
                        rs.getLong("id"),
                        rs.getString("order_code"),
                        rs.getLong("task_count"),
                        rs.getLong("open_tasks"),
                        rs.getLong("unknown_tasks")));
        page.addAll(rows);
        if (rows.size() < pageSize) {
            exhausted = true;
        }
        if (!rows.isEmpty()) {
            lastFetchedId = rows.get(rows.size() - 1).orderId();
        }
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
