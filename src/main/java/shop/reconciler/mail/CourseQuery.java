package shop.reconciler.mail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.reconciler.reconcile.OrderRules;

/**
 * Reads what a send chunk's emails say about their orders' courses, in bounded memory whatever
 * the shop holds (an order with 10,000 tasks, each with a 64 KB error, is about 650 MB in full).
 *
 * <ol>
 *   <li>One aggregate query counts every order's tasks: all, delivered, failed, by the rules of
 *       {@link OrderRules}.
 *   <li>The orders are cut into batches of at most {@value #ROWS_PER_BATCH} listed rows, in the
 *       order the chunk sends them.
 *   <li>When the sender reaches a batch's first order, one query reads that batch's listed rows:
 *       per order the first {@code reconciler.mail.max-listed-courses} tasks (by id, numbered with
 *       {@code ROW_NUMBER()}: MySQL 8, MariaDB 10.2+, H2), each text cut in SQL to what the email
 *       can show. The batch before it is dropped.
 * </ol>
 */
final class CourseQuery {

    /** Listed rows held at once: a row is at most about 3,000 characters. */
    static final int ROWS_PER_BATCH = 2_000;

    /** Characters of each text read: what the email shows, and room for folded whitespace. */
    static final int TITLE_CHARS = 2 * EmailComposer.MAX_NAME;

    static final int LINK_CHARS = EmailComposer.MAX_LINK + 100;
    static final int ERROR_CHARS = 2 * EmailComposer.MAX_ERROR;

    /** The markers are the rules ({@link OrderRules#sql}): delivered and failed as the email says them. */
    static final String COUNTS_SQL = """
            SELECT t.order_id,
                   COUNT(*) AS total,
                   SUM(CASE WHEN {{taskIsDelivered}} THEN 1 ELSE 0 END) AS completed,
                   SUM(CASE WHEN {{taskIsFailed}} THEN 1 ELSE 0 END) AS failed
              FROM download_tasks t
             WHERE t.order_id IN (:orderIds)
             GROUP BY t.order_id
            """;

    static final String LISTED_SQL = """
            SELECT order_id, course_title, course_url, status, drive_link, error_message
              FROM (SELECT order_id,
                           SUBSTRING(course_title, 1, :titleChars) AS course_title,
                           SUBSTRING(course_url, 1, :linkChars) AS course_url,
                           status,
                           SUBSTRING(drive_link, 1, :linkChars) AS drive_link,
                           SUBSTRING(error_message, 1, :errorChars) AS error_message,
                           ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY id) AS n
                      FROM download_tasks
                     WHERE order_id IN (:orderIds)) listed
             WHERE n <= :maxListed
             ORDER BY order_id, n
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final int maxListed;
    private final String countsSql;

    CourseQuery(NamedParameterJdbcTemplate jdbc, int maxListed, OrderRules rules) {
        this.jdbc = jdbc;
        this.maxListed = maxListed;
        this.countsSql = rules.fill(COUNTS_SQL);
    }

    /** The courses of these orders (in the order they will be asked for), read batch by batch. */
    Batches of(List<Long> orderIds) {
        Map<Long, int[]> counts = new HashMap<>();
        if (!orderIds.isEmpty()) {
            jdbc.query(countsSql, Map.of("orderIds", orderIds), rs -> {
                counts.put(
                        rs.getLong("order_id"),
                        new int[] {rs.getInt("total"), rs.getInt("completed"), rs.getInt("failed")});
            });
        }
        List<List<Long>> batches = new ArrayList<>();
        List<Long> batch = new ArrayList<>();
        long rows = 0;
        for (long orderId : orderIds) {
            int[] count = counts.get(orderId);
            int listed = count == null ? 0 : Math.min(count[0], maxListed);
            if (!batch.isEmpty() && rows + listed > ROWS_PER_BATCH) {
                batches.add(batch);
                batch = new ArrayList<>();
                rows = 0;
            }
            batch.add(orderId);
            rows += listed;
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return new Batches(counts, batches);
    }

    /**
     * A chunk's courses, at most two batches in memory: the connections take the chunk's
     * notifications in order, each composing the one it took, so around a batch's end some compose
     * from it while others already compose from the next. Shared by the connections' threads.
     */
    final class Batches {
        private final Map<Long, int[]> counts;
        private final Map<Long, Integer> batchOf = new HashMap<>();
        private final List<List<Long>> batches;

        // guarded by this: batch index to its courses, the older one dropped when a third is read
        private final Map<Integer, Map<Long, List<CourseResult>>> loaded = new HashMap<>();

        private Batches(Map<Long, int[]> counts, List<List<Long>> batches) {
            this.counts = counts;
            this.batches = batches;
            for (int i = 0; i < batches.size(); i++) {
                for (long orderId : batches.get(i)) {
                    batchOf.put(orderId, i);
                }
            }
        }

        /** The order's courses; reads its batch when it is not in memory. */
        synchronized OrderCourses get(long orderId) {
            int[] count = counts.get(orderId);
            Integer batch = batchOf.get(orderId);
            if (count == null || batch == null) {
                return OrderCourses.NONE;
            }
            Map<Long, List<CourseResult>> listed = loaded.get(batch);
            if (listed == null) {
                if (loaded.size() >= 2) {
                    loaded.remove(Collections.min(loaded.keySet()));
                }
                listed = load(batches.get(batch));
                loaded.put(batch, listed);
            }
            return new OrderCourses(listed.getOrDefault(orderId, List.of()), count[0], count[1], count[2]);
        }

        private Map<Long, List<CourseResult>> load(List<Long> orderIds) {
            Map<Long, List<CourseResult>> byOrder = new LinkedHashMap<>();
            MapSqlParameterSource params = new MapSqlParameterSource()
                    .addValue("orderIds", orderIds)
                    .addValue("titleChars", TITLE_CHARS)
                    .addValue("linkChars", LINK_CHARS)
                    .addValue("errorChars", ERROR_CHARS)
                    .addValue("maxListed", maxListed);
            jdbc.query(LISTED_SQL, params, rs -> {
                CourseResult course = new CourseResult(
                        rs.getLong("order_id"),
                        rs.getString("course_title"),
                        rs.getString("course_url"),
                        rs.getString("status"),
                        rs.getString("drive_link"),
                        rs.getString("error_message"));
                byOrder.computeIfAbsent(course.orderId(), id -> new ArrayList<>())
                        .add(course);
            });
            return byOrder;
        }
    }
}
