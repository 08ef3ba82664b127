package shop.reconciler.history;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.batch.core.repository.ExecutionContextSerializer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import shop.reconciler.db.JsonExecutionContextSerializer;
import shop.reconciler.db.TableNames;

/**
 * The questions about past executions that Spring Batch's {@code JobRepository} and
 * {@code JobOperator} do not answer, as queries on its {@code BATCH_*} tables. Everything they do
 * answer (an execution by id, the running ones, recover, restart, stop) goes through them.
 */
@Component
public class JobHistory {

    static final String EXECUTION_COLUMNS = """
            SELECT e.JOB_EXECUTION_ID, e.JOB_INSTANCE_ID, e.STATUS, e.EXIT_CODE, e.EXIT_MESSAGE,
                   e.START_TIME, e.END_TIME
              FROM {{batch}}JOB_EXECUTION e
              JOIN {{batch}}JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
            """;

    static final String RECENT_EXECUTIONS_SQL = EXECUTION_COLUMNS + """
             WHERE i.JOB_NAME = :jobName
             ORDER BY e.JOB_EXECUTION_ID DESC
             LIMIT :limit
            """;

    static final String ONE_EXECUTION_SQL =
            EXECUTION_COLUMNS + " WHERE i.JOB_NAME = :jobName AND e.JOB_EXECUTION_ID = :id";

    /** The newest update of an execution or any of its steps, as written (see {@link ExecutionClock}). */
    static final String SIGN_OF_LIFE_SQL = """
            SELECT e.LAST_UPDATED, e.START_TIME, e.CREATE_TIME,
                   (SELECT MAX(s.LAST_UPDATED) FROM {{batch}}STEP_EXECUTION s
                     WHERE s.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID) AS STEP_UPDATED
              FROM {{batch}}JOB_EXECUTION e
             WHERE e.JOB_EXECUTION_ID = :id
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

    /** The newest completed execution: its end is in its writer's zone, so the newest by id. */
    static final String LAST_COMPLETED_END_SQL = """
            SELECT e.JOB_EXECUTION_ID, e.END_TIME FROM {{batch}}JOB_EXECUTION e
              JOIN {{batch}}JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
             WHERE i.JOB_NAME = :jobName AND e.STATUS = 'COMPLETED' AND e.END_TIME IS NOT NULL
             ORDER BY e.JOB_EXECUTION_ID DESC
             LIMIT 1
            """;

    /**
     * An identifying parameter of the job's newest instance, as its newest execution recorded it:
     * the instance and execution {@code JobRepository#getLastJobInstance} and
     * {@code #getLastJobExecution} find, without the step executions and execution contexts that
     * the latter reads and decodes with them.
     */
    static final String LAST_INSTANCE_PARAMETER_SQL = """
            SELECT p.PARAMETER_VALUE
              FROM {{batch}}JOB_EXECUTION_PARAMS p
             WHERE p.PARAMETER_NAME = :name AND p.IDENTIFYING = 'Y'
               AND p.JOB_EXECUTION_ID = (
                   SELECT MAX(e.JOB_EXECUTION_ID) FROM {{batch}}JOB_EXECUTION e
                    WHERE e.JOB_INSTANCE_ID = (SELECT MAX(i.JOB_INSTANCE_ID) FROM {{batch}}JOB_INSTANCE i
                                                WHERE i.JOB_NAME = :jobName))
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

    /** A job execution with its steps, as {@code status} shows it; its times as instants. */
    public record ExecutionSummary(
            long id,
            long instanceId,
            String status,
            String exitCode,
            String exitDescription,
            Instant start,
            Instant end,
            Long durationMs,
            List<StepSummary> steps) {}

    /**
     * The newest completed step of this name, with its execution context: by step id, so the newest
     * whatever the zone its node wrote its times in.
     */
    static final String LAST_COMPLETED_STEP_SQL = """
            SELECT s.JOB_EXECUTION_ID, s.END_TIME, c.SHORT_CONTEXT, c.SERIALIZED_CONTEXT
              FROM {{batch}}STEP_EXECUTION s
              JOIN {{batch}}JOB_EXECUTION e ON e.JOB_EXECUTION_ID = s.JOB_EXECUTION_ID
              JOIN {{batch}}JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
              JOIN {{batch}}STEP_EXECUTION_CONTEXT c ON c.STEP_EXECUTION_ID = s.STEP_EXECUTION_ID
             WHERE i.JOB_NAME = :jobName AND s.STEP_NAME = :stepName AND s.STATUS = 'COMPLETED'
             ORDER BY s.STEP_EXECUTION_ID DESC
             LIMIT 1
            """;

    /**
     * A completed step's execution context as it was saved at its end.
     *
     * @param executionId the job execution the step belongs to
     * @param end when the step ended
     */
    public record StepContext(long executionId, Instant end, Map<String, Object> context) {}

    private final NamedParameterJdbcTemplate jdbc;
    private final ExecutionClock clock;
    private final String recentExecutionsSql;
    private final String oneExecutionSql;
    private final String signOfLifeSql;
    private final String stepsOfExecutionsSql;
    private final String lastUnfinishedSql;
    private final String lastCompletedEndSql;
    private final String lastCompletedStepSql;
    private final String lastInstanceParameterSql;
    private final ExecutionContextSerializer contexts;

    /** With the project's own context format ({@link JsonExecutionContextSerializer}). */
    public JobHistory(NamedParameterJdbcTemplate jdbc, ExecutionClock clock, TableNames tables) {
        this(jdbc, clock, tables, new JsonExecutionContextSerializer());
    }

    @Autowired
    public JobHistory(
            NamedParameterJdbcTemplate jdbc,
            ExecutionClock clock,
            TableNames tables,
            ExecutionContextSerializer contexts) {
        this.contexts = contexts;
        this.lastCompletedStepSql = tables.fill(LAST_COMPLETED_STEP_SQL);
        this.jdbc = jdbc;
        this.clock = clock;
        this.recentExecutionsSql = tables.fill(RECENT_EXECUTIONS_SQL);
        this.oneExecutionSql = tables.fill(ONE_EXECUTION_SQL);
        this.signOfLifeSql = tables.fill(SIGN_OF_LIFE_SQL);
        this.stepsOfExecutionsSql = tables.fill(STEPS_OF_EXECUTIONS_SQL);
        this.lastUnfinishedSql = tables.fill(LAST_UNFINISHED_SQL);
        this.lastCompletedEndSql = tables.fill(LAST_COMPLETED_END_SQL);
        this.lastInstanceParameterSql = tables.fill(LAST_INSTANCE_PARAMETER_SQL);
    }

    /** The job's newest {@code limit} executions, newest first, each with its steps in order. */
    public List<ExecutionSummary> recentExecutionsWithSteps(String jobName, int limit) {
        return withSteps(jdbc.query(recentExecutionsSql, Map.of("jobName", jobName, "limit", limit), this::summary));
    }

    /** One execution of the job with its steps, if there is one with this id. */
    public Optional<ExecutionSummary> executionWithSteps(String jobName, long id) {
        return withSteps(jdbc.query(oneExecutionSql, Map.of("jobName", jobName, "id", id), this::summary)).stream()
                .findFirst();
    }

    private ExecutionSummary summary(ResultSet rs, int n) throws SQLException {
        long id = rs.getLong("JOB_EXECUTION_ID");
        LocalDateTime start = time(rs, "START_TIME");
        LocalDateTime end = time(rs, "END_TIME");
        return new ExecutionSummary(
                id,
                rs.getLong("JOB_INSTANCE_ID"),
                rs.getString("STATUS"),
                rs.getString("EXIT_CODE"),
                rs.getString("EXIT_MESSAGE"),
                clock.instantOf(id, start),
                clock.instantOf(id, end),
                duration(start, end),
                new ArrayList<>());
    }

    private List<ExecutionSummary> withSteps(List<ExecutionSummary> found) {
        List<ExecutionSummary> executions = new ArrayList<>(found);
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

    /**
     * The text of an identifying parameter of the job's newest instance (its newest execution's),
     * if the job has an instance with that parameter.
     */
    public Optional<String> lastInstanceParameter(String jobName, String name) {
        return jdbc
                .queryForList(lastInstanceParameterSql, Map.of("jobName", jobName, "name", name), String.class)
                .stream()
                .findFirst();
    }

    /** When the job's newest completed execution ended, if one did. */
    public Optional<Instant> lastCompletedEnd(String jobName) {
        return jdbc
                .query(
                        lastCompletedEndSql,
                        Map.of("jobName", jobName),
                        (rs, n) -> clock.instantOf(rs.getLong("JOB_EXECUTION_ID"), time(rs, "END_TIME")))
                .stream()
                .findFirst();
    }

    /** The newest completed step of this name of the job, with its execution context, if one completed. */
    public Optional<StepContext> lastCompletedStep(String jobName, String stepName) {
        return jdbc
                .query(lastCompletedStepSql, Map.of("jobName", jobName, "stepName", stepName), (rs, n) -> {
                    long id = rs.getLong("JOB_EXECUTION_ID");
                    String stored = rs.getString("SERIALIZED_CONTEXT");
                    if (stored == null || stored.isEmpty()) {
                        stored = rs.getString("SHORT_CONTEXT");
                    }
                    Map<String, Object> context;
                    try {
                        context =
                                contexts.deserialize(new ByteArrayInputStream(stored.getBytes(StandardCharsets.UTF_8)));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read the context of execution " + id, e);
                    }
                    return new StepContext(id, clock.instantOf(id, time(rs, "END_TIME")), context);
                })
                .stream()
                .findFirst();
    }

    /**
     * The newest update of the execution or of any of its steps (its start, or its creation, if
     * it has none), as an instant; empty if there is no such execution.
     */
    public Optional<Instant> lastSignOfLife(long executionId) {
        return jdbc
                .query(signOfLifeSql, Map.of("id", executionId), (rs, n) -> {
                    LocalDateTime last = latest(time(rs, "LAST_UPDATED"), time(rs, "STEP_UPDATED"));
                    if (last == null) {
                        last = latest(time(rs, "START_TIME"), time(rs, "CREATE_TIME"));
                    }
                    return Optional.ofNullable(clock.instantOf(executionId, last));
                })
                .stream()
                .findFirst()
                .flatMap(o -> o);
    }

    private static LocalDateTime latest(LocalDateTime a, LocalDateTime b) {
        return a == null || (b != null && b.isAfter(a)) ? b : a;
    }

    /** The wall clock as written, unconverted by the driver whatever this JVM's zone. */
    private static LocalDateTime time(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, LocalDateTime.class);
    }

    private static Long duration(LocalDateTime start, LocalDateTime end) {
        return start == null || end == null
                ? null
                : Duration.between(start, end).toMillis();
    }
}
