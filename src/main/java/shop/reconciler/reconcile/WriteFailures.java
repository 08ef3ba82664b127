package shop.reconciler.reconcile;

import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import shop.reconciler.db.SqlText;
import shop.reconciler.db.TableNames;
import shop.reconciler.text.Printable;

/**
 * The {@code {{failures}}} table, and every statement on it: the orders whose write the
 * database refused (a trigger, a value it cannot store, anything nobody foresaw). Such an order is
 * left as it was (still {@code processing}, no notification), and has a row here until it is
 * completed or leaves {@code processing} by other means: {@code status} lists those rows, so that
 * an operator sees which orders the reconciler cannot finish, and why.
 *
 * <p>A row is written in the chunk's transaction, beside the other orders' completions; rows of
 * orders that are no longer processing are removed when a reconcile step starts.
 */
public class WriteFailures {

    /** The longest error kept, in characters (the column's length). */
    static final int ERROR_LENGTH = 1000;

    static final int CODE_LENGTH = 64;

    static final String RECORD_AGAIN_SQL = """
            UPDATE {{failures}}
               SET failures = failures + 1, last_error = :error, last_failed_at = CURRENT_TIMESTAMP(3),
                   job_execution_id = :jobExecutionId
             WHERE order_id = :orderId
            """;

    static final String RECORD_SQL = """
            INSERT INTO {{failures}} (order_id, order_code, last_error, job_execution_id)
            VALUES (:orderId, :orderCode, :error, :jobExecutionId)
            """;

    static final String FORGET_RESOLVED_SQL = """
            DELETE FROM {{failures}}
             WHERE NOT EXISTS (SELECT 1 FROM orders o
                                WHERE o.id = {{failures}}.order_id AND {{orderIsCandidate}})
            """;

    static final String LIST_SQL = """
            SELECT f.order_id, f.order_code, f.last_error, f.failures, f.first_failed_at, f.last_failed_at
              FROM {{failures}} f
              JOIN orders o ON o.id = f.order_id
             WHERE {{orderIsCandidate}}
             ORDER BY f.order_id
             LIMIT :limit
            """;

    static final String COUNT_SQL = """
            SELECT COUNT(*)
              FROM {{failures}} f
              JOIN orders o ON o.id = f.order_id
             WHERE {{orderIsCandidate}}
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final String forgetResolvedSql;
    private final String listSql;
    private final String countSql;
    private final String recordAgainSql;
    private final String recordSql;

    public WriteFailures(NamedParameterJdbcTemplate jdbc, OrderRules rules, TableNames tables) {
        this.jdbc = jdbc;
        Map<String, String> processing = tables.markers(rules.sql());
        this.recordAgainSql = tables.fill(RECORD_AGAIN_SQL);
        this.recordSql = tables.fill(RECORD_SQL);
        this.forgetResolvedSql = SqlText.fill(FORGET_RESOLVED_SQL, processing);
        this.listSql = SqlText.fill(LIST_SQL, processing);
        this.countSql = SqlText.fill(COUNT_SQL, processing);
    }

    /** An order that could not be written, as {@code status} lists it. */
    public record WriteFailure(
            long orderId,
            String orderCode,
            String error,
            int failures,
            LocalDateTime firstFailedAt,
            LocalDateTime lastFailedAt) {

        /** One line for a terminal: the code and the error with control characters escaped. */
        public String describe() {
            return Printable.of(orderCode) + " (id " + orderId + "): " + Printable.of(error) + "; failed " + failures
                    + " time(s) since " + firstFailedAt + ", last " + lastFailedAt;
        }
    }

    /**
     * Records that the order's write failed; {@code true} if it had not failed before (then it is
     * logged, once).
     */
    boolean record(long orderId, String orderCode, String error, long jobExecutionId) {
        MapSqlParameterSource row = new MapSqlParameterSource()
                .addValue("orderId", orderId)
                .addValue("orderCode", truncate(orderCode, CODE_LENGTH))
                .addValue("error", truncate(error, ERROR_LENGTH))
                .addValue("jobExecutionId", jobExecutionId);
        if (jdbc.update(recordAgainSql, row) > 0) {
            return false;
        }
        jdbc.update(recordSql, row);
        return true;
    }

    /** Removes the rows of orders that are no longer processing. */
    int forgetResolved() {
        return jdbc.getJdbcTemplate().update(forgetResolvedSql);
    }

    /** The orders still processing whose write failed, by id, at most {@code limit}. */
    public List<WriteFailure> list(int limit) {
        return jdbc.query(
                listSql,
                Map.of("limit", limit),
                (rs, n) -> new WriteFailure(
                        rs.getLong("order_id"),
                        rs.getString("order_code"),
                        rs.getString("last_error"),
                        rs.getInt("failures"),
                        toLocal(rs.getTimestamp("first_failed_at")),
                        toLocal(rs.getTimestamp("last_failed_at"))));
    }

    /** How many orders still processing could not be written. */
    public long count() {
        Long count = jdbc.getJdbcTemplate().queryForObject(countSql, Long.class);
        return count == null ? 0 : count;
    }

    private static LocalDateTime toLocal(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toLocalDateTime();
    }

    static String truncate(String value, int max) {
        if (value == null || value.codePointCount(0, value.length()) <= max) {
            return value;
        }
        return value.substring(0, value.offsetByCodePoints(0, max));
    }
}
