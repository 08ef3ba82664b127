package shop.reconciler.reconcile;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.partition.PartitionNameProvider;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Splits the processing orders into {@code reconciler.partitions} consecutive id ranges of about
 * the same number of orders, for the partitioned reconcile step. Each range is the execution
 * context its worker's reader starts from: after {@link ProcessingOrderReader#LAST_ORDER_ID}, up to
 * {@link ProcessingOrderReader#UP_TO_ORDER_ID} inclusive. The first range starts at the beginning
 * and the last one has no end, so that an order that becomes processing while the step runs is in
 * some range, as it would be for the plain step.
 *
 * <p>Why by order count and not by work (tasks, or orders to complete): weighing the ranges by
 * their tasks needs a pass over every task of every processing order before the step starts (a
 * second full read of {@code download_tasks}, seconds at a million orders), and with each chunk's
 * cost now nearly independent of its position and its mix, equal counts are equal work. The two
 * ranges that ended 23 s apart at 1M orders in 0.5.0 (40 s and 63 s) did so because the page
 * query scanned the processing orders from the first one on every page, so the upper range paid
 * for the lower one's orders too; with the index hint of {@link ProcessingOrderReader} the two
 * ranges of {@code jobs/bench} at 1M orders (each 449,889 orders, 391k of them completed) ended
 * 1.3 s apart in a 38 s step. Equal counts cost one index-only count and one seek per range.
 *
 * <p>There are always {@code reconciler.partitions} ranges, named {@code 0, 1, ...}; with fewer
 * orders than that some are empty. Called only when the step starts afresh: on a restart Spring
 * Batch's splitter takes the names from {@link #getPartitionNames} and gives each unfinished
 * partition its saved context back, so it resumes after its last committed chunk.
 */
class OrderRangePartitioner implements Partitioner, PartitionNameProvider {

    private static final Logger log = LoggerFactory.getLogger(OrderRangePartitioner.class);

    static final String COUNT_SQL = "SELECT COUNT(*) FROM orders o WHERE {{orderIsCandidate}}";

    /** The id of the processing order at a given position, in id order. */
    static final String ID_AT_SQL = """
            SELECT o.id FROM orders o
             WHERE {{orderIsCandidate}}
             ORDER BY o.id
             LIMIT 1 OFFSET :offset
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final String countSql;
    private final String idAtSql;

    OrderRangePartitioner(NamedParameterJdbcTemplate jdbc, OrderRules rules) {
        this.jdbc = jdbc;
        this.countSql = rules.fill(COUNT_SQL);
        this.idAtSql = rules.fill(ID_AT_SQL);
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        Long counted = jdbc.getJdbcTemplate().queryForObject(countSql, Long.class);
        long processing = counted == null ? 0 : counted;
        Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
        long from = 0;
        for (int k = 0; k < gridSize; k++) {
            long upTo = Long.MAX_VALUE;
            if (k < gridSize - 1) {
                // the last order of range k: the one at position (k + 1) * processing / gridSize - 1;
                // with fewer orders than ranges, or orders gone meanwhile, a range is empty
                long offset = (k + 1) * processing / gridSize - 1;
                List<Long> id =
                        offset < 0 ? List.of() : jdbc.queryForList(idAtSql, Map.of("offset", offset), Long.class);
                upTo = id.isEmpty() ? from : Math.max(from, id.get(0));
            }
            ExecutionContext range = new ExecutionContext();
            range.putLong(ProcessingOrderReader.LAST_ORDER_ID, from);
            range.putLong(ProcessingOrderReader.UP_TO_ORDER_ID, upTo);
            partitions.put(String.valueOf(k), range);
            from = upTo;
        }
        log.info(
                "reconcile: {} processing orders in {} partitions: {}",
                processing,
                gridSize,
                partitions.values().stream()
                        .map(OrderRangePartitioner::describe)
                        .toList());
        return partitions;
    }

    /**
     * The partitions' names, the same as {@link #partition} gives: on a restart Spring Batch asks
     * for these instead, and gives each unfinished partition its saved execution context back.
     */
    @Override
    public Collection<String> getPartitionNames(int gridSize) {
        return IntStream.range(0, gridSize).mapToObj(String::valueOf).toList();
    }

    /** A range as the log shows it: {@code ids 1..450000}, {@code ids 450001..}. */
    static String describe(ExecutionContext range) {
        long after = range.getLong(ProcessingOrderReader.LAST_ORDER_ID, 0L);
        long upTo = range.getLong(ProcessingOrderReader.UP_TO_ORDER_ID, Long.MAX_VALUE);
        if (upTo <= after) {
            return "(empty)";
        }
        return "ids " + (after + 1) + ".." + (upTo == Long.MAX_VALUE ? "" : String.valueOf(upTo));
    }
}
