package shop.reconciler.history;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import shop.reconciler.db.TableNames;

/**
 * The questions about past executions that Spring Batch's {@code JobRepository} and
 * {@code JobOperator} do not answer, as queries on its {@code BATCH_*} tables. Everything they do
 * answer (an execution by id, the running ones, recover, restart, stop) goes through them.
 */
@Component
public class JobHistory {

    static final String RECENT_EXECUTIONS_SQL = """
            SELECT e.JOB_EXECUTION_ID, e.JOB_INSTANCE_ID, e.STATUS, e.EXIT_CODE, e.EXIT_MESSAGE,
                   e.START_TIME, e.END_TIME
              FROM {{batch}}JOB_EXECUTION e
              JOIN {{batch}}JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
             WHERE i.JOB_NAME = :jobName
             ORDER BY e.JOB_EXECUTION_ID DESC
             LIMIT :limit
            """;

    static final String STEPS_OF_EXECUTIONS_SQL = """
            SELECT JOB_EXECUTION_ID, STEP_NAME, STATUS, READ_COUNT, FILTER_COUNT, WRITE_COUNT,
                   READ_SKIP_COUNT + PROCESS_SKIP_COUNT + WRITE_SKIP_COUNT AS SKIP_COUNT,
                   COMMIT_COUNT, ROLLBACK_COUNT, START_TIME, END_TIME, EXIT_MESSAGE
              FROM {{batch}}STEP_EXECUTION
             WHERE JOB_EXECUTION_ID IN (:ids)
             ORDER BY STEP_EXECUTION_ID
            """;

    /**
     * The newest execution that did not finish, of an instance that never completed and was not
     * abandoned, and that no later execution of its instance followed.
     */
    static final String LAST_UNFINISHED_SQL = """
            SELECT e.JOB_EXECUTION_ID
              FROM {{batch}}JOB_EXECUTION e
              JOIN {{batch}}JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
             WHERE i.JOB_NAME = :jobName
               AND e.STATUS IN ('FAILED', 'STOPPED', 'STARTED', 'STARTING', 'STOPPING', 'UNKNOWN')
               AND NOT EXISTS (SELECT 1 FROM {{batch}}JOB_EXECUTION done
                                WHERE done.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
                                  AND (done.STATUS IN ('COMPLETED', 'ABANDONED')
                                       OR done.JOB_EXECUTION_ID > e.JOB_EXECUTION_ID))
             ORDER BY e.JOB_EXECUTION_ID DESC
             LIMIT 1
            """;

    static final String LAST_COMPLETED_END_SQL = """
            SELECT MAX(e.END_TIME) FROM {{batch}}JOB_EXECUTION e
              JOIN {{batch}}JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
             WHERE i.JOB_NAME = :jobName AND e.STATUS = 'COMPLETED'
            """;

    /** A step execution's counts, as {@code status} shows them. */
    public record StepSummary(
            String name,
            String status,
            long read,
            long filtered,
            long written,
            long skipped,
            long commits,
            long rollbacks,
            Long durationMs,
            String exitDescription) {}

    /** A job execution with its steps, as {@code status} shows it. */
    public record ExecutionSummary(
            long id,
            long instanceId,
            String status,
            String exitCode,
            String exitDescription,
            LocalDateTime start,
            LocalDateTime end,
            Long durationMs,
            List<StepSummary> steps) {}

    private final NamedParameterJdbcTemplate jdbc;
    private final String recentExecutionsSql;
    private final String stepsOfExecutionsSql;
    private final String lastUnfinishedSql;
    private final String lastCompletedEndSql;

    public JobHistory(NamedParameterJdbcTemplate jdbc, TableNames tables) {
        this.jdbc = jdbc;
        this.recentExecutionsSql = tables.fill(RECENT_EXECUTIONS_SQL);
        this.stepsOfExecutionsSql = tables.fill(STEPS_OF_EXECUTIONS_SQL);
        this.lastUnfinishedSql = tables.fill(LAST_UNFINISHED_SQL);
        this.lastCompletedEndSql = tables.fill(LAST_COMPLETED_END_SQL);
    }

    /** The job's newest {@code limit} executions, newest first, each with its steps in order. */
    public List<ExecutionSummary> recentExecutionsWithSteps(String jobName, int limit) {
        List<ExecutionSummary> executions = new ArrayList<>(jdbc.query(
                recentExecutionsSql,
                Map.of("jobName", jobName, "limit", limit),
                (rs, n) -> new ExecutionSummary(
                        rs.getLong("JOB_EXECUTION_ID"),
                        rs.getLong("JOB_INSTANCE_ID"),
                        rs.getString("STATUS"),
                        rs.getString("EXIT_CODE"),
                        rs.getString("EXIT_MESSAGE"),
                        time(rs, "START_TIME"),
                        time(rs, "END_TIME"),
                        duration(time(rs, "START_TIME"), time(rs, "END_TIME")),
                        new ArrayList<>())));
        if (!executions.isEmpty()) {
            Map<Long, ExecutionSummary> byId = new LinkedHashMap<>();
            executions.forEach(e -> byId.put(e.id(), e));
            jdbc.query(stepsOfExecutionsSql, Map.of("ids", byId.keySet()), rs -> {
                byId.get(rs.getLong("JOB_EXECUTION_ID"))
                        .steps()
                        .add(new StepSummary(
                                rs.getString("STEP_NAME"),
                                rs.getString("STATUS"),
                                rs.getLong("READ_COUNT"),
                                rs.getLong("FILTER_COUNT"),
                                rs.getLong("WRITE_COUNT"),
                                rs.getLong("SKIP_COUNT"),
                                rs.getLong("COMMIT_COUNT"),
                                rs.getLong("ROLLBACK_COUNT"),
                                duration(time(rs, "START_TIME"), time(rs, "END_TIME")),
                                rs.getString("EXIT_MESSAGE")));
            });
        }
        return executions;
    }

    /** The execution {@code restart --last-failed} means, if there is one. */
    public Optional<Long> lastUnfinishedExecutionId(String jobName) {
        return jdbc.queryForList(lastUnfinishedSql, Map.of("jobName", jobName), Long.class).stream()
                .findFirst();
    }

    /** When the job's newest completed execution ended, if one did. */
    public Optional<LocalDateTime> lastCompletedEnd(String jobName) {
        Timestamp end = jdbc.queryForObject(lastCompletedEndSql, Map.of("jobName", jobName), Timestamp.class);
        return Optional.ofNullable(end).map(Timestamp::toLocalDateTime);
    }

    private static LocalDateTime time(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toLocalDateTime();
    }

    private static Long duration(LocalDateTime start, LocalDateTime end) {
        return start == null || end == null
                ? null
                : Duration.between(start, end).toMillis();
    }
}
