package shop.reconciler.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.TableNames;
import shop.reconciler.outbox.NotificationStatus;

/**
 * What the reconcile step would decide now, by the step's own rules, writing nothing: for the
 * {@code plan} command, and the task rules {@code explain} and {@code status} show.
 *
 * <ol>
 *   <li>Every {@code processing} order is read with the step's reader ({@link ProcessingOrderReader},
 *       keyset pages of {@code reconciler.chunk-size}) and sorted by the step's filter rules
 *       ({@link OrderRules}): finished, still open, without any task (an anomaly), or with a task
 *       status the shop does not define.
 *   <li>For each page's finished orders one read without locks gives what the writer would lock:
 *       the recipient, whether a notification exists, and the newest task against the
 *       {@code reconciler.mail.max-age} cut-off on the database's clock; the writer's own rule
 *       ({@link OrderRules#mailFor}) names the notification each would get.
 *   <li>Stuck orders: processing orders with a non-terminal task unchanged for longer than
 *       {@code reconciler.stuck-task-after}, from the same tallies; and, for {@code status} and the
 *       gauges, these groups counted now without reading every order's tally into Java.
 * </ol>
 *
 * The database may change between this preview and a run; a run decides again under locks.
 */
@Component
public class RunPreview {

    static final String MAIL_SQL = """
            SELECT o.id, o.order_code, o.user_email,
                   EXISTS (SELECT 1 FROM {{notifications}} n WHERE n.order_id = o.id) AS notified,
                   (SELECT MAX(t.updated_at) FROM download_tasks t WHERE t.order_id = o.id) AS newest_task,
                   {{backlogCutoff}} AS mail_cutoff
              FROM orders o
             WHERE o.id IN (:ids)
             ORDER BY o.id
            """;

    /**
     * The markers are the rules ({@link OrderRules#sql}). The stuck test is a scalar subquery,
     * probed per processing order on the tasks' index, rather than an {@code EXISTS}: MariaDB turns
     * such an {@code EXISTS} into a semi-join that materializes every non-terminal old task by a
     * scan of the whole table (0.9 s of {@code status}'s 1.9 s at 200k orders).
     */
    static final String STUCK_WHERE = """
              FROM orders o
             WHERE {{orderIsCandidate}}
               AND {{orderHasStuckTask}}
            """;

    static final String STUCK_COUNT_SQL = "SELECT COUNT(*)" + STUCK_WHERE;

    /** The markers are the rules ({@link OrderRules#sql}). */
    static final String ANOMALY_WHERE = """
              FROM orders o
             WHERE {{orderIsCandidate}}
               AND {{orderHasNoTask}}
            """;

    static final String ANOMALY_COUNT_SQL = "SELECT COUNT(*)" + ANOMALY_WHERE;

    static final String ANOMALY_CODES_SQL = "SELECT o.order_code" + ANOMALY_WHERE + " ORDER BY o.id LIMIT :limit";

    /**
     * Processing orders the reconcile step would complete now: the guard of its UPDATE, as a count.
     * "Has a task" is a scalar subquery for the reason given at {@link #STUCK_WHERE} (as an
     * {@code EXISTS} it scanned every task: 5.5 s of the console's overview at 200k orders).
     */
    static final String FINISHED_COUNT_SQL = """
            SELECT COUNT(*)
              FROM orders o
             WHERE {{orderIsCandidate}}
               AND {{orderIsFinished}}
            """;

    static final String STUCK_CODES_SQL = "SELECT o.order_code" + STUCK_WHERE + " ORDER BY o.id LIMIT :limit";

    /** How many orders fall in a group, and the first of them by id. */
    public record Group(long count, List<String> first) {}

    /**
     * @param processing processing orders read
     * @param complete orders the run would complete
     * @param queue of those, the ones whose email it would queue
     * @param skip of those, the ones completed without email (newest task past max-age)
     * @param fail of those, the ones completed without email for want of a usable address
     * @param alreadyNotified of those, the ones that already have a notification (kept as it is)
     * @param stillOpen orders waiting on a task that is not terminal
     * @param anomalies processing orders without any task
     * @param undefinedStatus orders with a task status the shop does not define
     * @param stuck orders waiting on a task unchanged for longer than stuck-task-after
     */
    public record Plan(
            long processing,
            Group complete,
            Group queue,
            Group skip,
            Group fail,
            Group alreadyNotified,
            Group stillOpen,
            Group anomalies,
            Group undefinedStatus,
            Group stuck) {}

    private final NamedParameterJdbcTemplate jdbc;
    private final Dialect dialect;
    private final OrderRules rules;
    private final ReconcilerProperties properties;
    private final String mailSql;

    public RunPreview(
            NamedParameterJdbcTemplate jdbc,
            Dialect dialect,
            OrderRules rules,
            ReconcilerProperties properties,
            TableNames tables) {
        this.jdbc = jdbc;
        this.mailSql = tables.fill(rules.fill(MAIL_SQL));
        this.dialect = dialect;
        this.rules = rules;
        this.properties = properties;
    }

    /** Processing orders waiting on a task unchanged for longer than stuck-task-after. */
    public Group stuck(int limit) {
        Map<String, Object> params = Map.of("limit", limit);
        Long count = jdbc.queryForObject(rules.fill(STUCK_COUNT_SQL), params, Long.class);
        List<String> codes = jdbc.queryForList(rules.fill(STUCK_CODES_SQL), params, String.class);
        return new Group(count == null ? 0 : count, codes);
    }

    /**
     * {@link #stuck} after {@link #stuckCount} said how many: the codes are read only when there
     * are any (looking for codes that are not there would pass over every processing order again).
     */
    public Group stuckWithCodes(long count, int limit) {
        if (count == 0) {
            return new Group(0, List.of());
        }
        return new Group(count, jdbc.queryForList(rules.fill(STUCK_CODES_SQL), Map.of("limit", limit), String.class));
    }

    /** Processing orders that are finished but not completed yet: what the next run would complete. */
    public long finishedCount() {
        Long count = jdbc.getJdbcTemplate().queryForObject(rules.fill(FINISHED_COUNT_SQL), Long.class);
        return count == null ? 0 : count;
    }

    /** How many processing orders are {@link #stuck}, without their codes. */
    public long stuckCount() {
        Long count = jdbc.getJdbcTemplate().queryForObject(rules.fill(STUCK_COUNT_SQL), Long.class);
        return count == null ? 0 : count;
    }

    /** Processing orders without any task: never completed, reported instead. */
    public Group anomalies(int limit) {
        Map<String, Object> params = Map.of("limit", limit);
        Long count = jdbc.queryForObject(rules.fill(ANOMALY_COUNT_SQL), params, Long.class);
        List<String> codes = jdbc.queryForList(rules.fill(ANOMALY_CODES_SQL), params, String.class);
        return new Group(count == null ? 0 : count, codes);
    }

    /** What a run would do now; {@code limit} order codes listed per group. */
    public Plan plan(int limit) {
        Collector complete = new Collector(limit);
        Collector queue = new Collector(limit);
        Collector skip = new Collector(limit);
        Collector fail = new Collector(limit);
        Collector already = new Collector(limit);
        Collector open = new Collector(limit);
        Collector anomalies = new Collector(limit);
        Collector undefined = new Collector(limit);
        Collector stuck = new Collector(limit);
        long processing = 0;
        int pageSize = properties.chunkSize();
        ProcessingOrderReader reader = new ProcessingOrderReader(jdbc, dialect, rules, pageSize, false);
        reader.open(new ExecutionContext());
        try {
            List<Long> finished = new ArrayList<>(pageSize);
            for (OrderTally order = reader.read(); order != null; order = reader.read()) {
                processing++;
                if (order.unknownStatusCount() > 0) {
                    undefined.add(order.orderCode());
                }
                if (order.isFinished()) {
                    complete.add(order.orderCode());
                    finished.add(order.orderId());
                    if (finished.size() == pageSize) {
                        mail(finished, queue, skip, fail, already);
                        finished.clear();
                    }
                } else if (order.isAnomaly()) {
                    anomalies.add(order.orderCode());
                } else {
                    open.add(order.orderCode());
                    if (order.isStuck()) {
                        stuck.add(order.orderCode());
                    }
                }
            }
            mail(finished, queue, skip, fail, already);
        } finally {
            reader.close();
        }
        return new Plan(
                processing,
                complete.group(),
                queue.group(),
                skip.group(),
                fail.group(),
                already.group(),
                open.group(),
                anomalies.group(),
                undefined.group(),
                stuck.group());
    }

    private void mail(List<Long> ids, Collector queue, Collector skip, Collector fail, Collector already) {
        decide(ids, (code, status) -> {
            if (status.isEmpty()) {
                already.add(code);
                return;
            }
            switch (status.get()) {
                case SKIPPED -> skip.add(code);
                case FAILED -> fail.add(code);
                default -> queue.add(code);
            }
        });
    }

    /**
     * The notification a run would queue for this order if it completed it now; empty if the
     * order already has one (it is kept as it is).
     */
    public Optional<NotificationStatus> notificationFor(long orderId) {
        List<Optional<NotificationStatus>> decided = new ArrayList<>(1);
        decide(List.of(orderId), (code, status) -> decided.add(status));
        return decided.isEmpty() ? Optional.empty() : decided.get(0);
    }

    /** For each order: its code, and the writer's decision (empty: already notified). */
    private void decide(List<Long> ids, BiConsumer<String, Optional<NotificationStatus>> decision) {
        if (ids.isEmpty()) {
            return;
        }
        Map<String, Object> params = Map.of("ids", ids);
        jdbc.query(mailSql, params, rs -> {
            String code = rs.getString("order_code");
            if (rs.getBoolean("notified")) {
                decision.accept(code, Optional.empty());
                return;
            }
            boolean backlog = OrderRules.isBacklog(rs.getTimestamp("newest_task"), rs.getTimestamp("mail_cutoff"));
            decision.accept(
                    code,
                    Optional.of(
                            rules.mailFor(backlog, rs.getString("user_email")).status()));
        });
    }

    private static final class Collector {
        private final int limit;
        private final List<String> first = new ArrayList<>();
        private long count;

        Collector(int limit) {
            this.limit = limit;
        }

        void add(String code) {
            count++;
            if (first.size() < limit) {
                first.add(code);
            }
        }

        Group group() {
            return new Group(count, List.copyOf(first));
        }
    }
}
