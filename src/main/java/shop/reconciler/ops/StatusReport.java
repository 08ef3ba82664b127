package shop.reconciler.ops;

import java.io.PrintStream;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import shop.reconciler.lease.JobLease;
import shop.reconciler.reconcile.OrderCompletionJobConfiguration;
import shop.reconciler.reconcile.WriteFailures;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code status [--limit N] [--json]}: what an operator asks first. It reads the database only
 * (job repository, lease row, outbox, shop), so it answers from any node, also during a run.
 */
@Component
class StatusReport {

    static final String EXECUTIONS_SQL = """
            SELECT e.JOB_EXECUTION_ID, e.JOB_INSTANCE_ID, e.STATUS, e.EXIT_CODE, e.EXIT_MESSAGE,
                   e.START_TIME, e.END_TIME
              FROM BATCH_JOB_EXECUTION e
              JOIN BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
             WHERE i.JOB_NAME = :jobName
             ORDER BY e.JOB_EXECUTION_ID DESC
             LIMIT :limit
            """;

    static final String STEPS_SQL = """
            SELECT JOB_EXECUTION_ID, STEP_NAME, STATUS, READ_COUNT, FILTER_COUNT, WRITE_COUNT,
                   READ_SKIP_COUNT + PROCESS_SKIP_COUNT + WRITE_SKIP_COUNT AS SKIP_COUNT,
                   COMMIT_COUNT, ROLLBACK_COUNT, START_TIME, END_TIME
              FROM BATCH_STEP_EXECUTION
             WHERE JOB_EXECUTION_ID IN (:ids)
             ORDER BY STEP_EXECUTION_ID
            """;

    static final String NOTIFICATIONS_SQL = "SELECT status, COUNT(*) AS n FROM order_notifications GROUP BY status";

    static final String OLDEST_QUEUED_SQL = "SELECT MIN(created_at) FROM order_notifications WHERE status = 'queued'";

    static final String ANOMALY_COUNT_SQL = """
            SELECT COUNT(*) FROM orders o
             WHERE o.order_status = 'processing'
               AND NOT EXISTS (SELECT 1 FROM download_tasks t WHERE t.order_id = o.id)
            """;

    static final String ANOMALY_CODES_SQL = """
            SELECT o.order_code FROM orders o
             WHERE o.order_status = 'processing'
               AND NOT EXISTS (SELECT 1 FROM download_tasks t WHERE t.order_id = o.id)
             ORDER BY o.id
             LIMIT 10
            """;

    record Step(
            String name,
            String status,
            long read,
            long filtered,
            long written,
            long skipped,
            long commits,
            long rollbacks,
            Long durationMs) {}

    record Execution(
            long id,
            long instanceId,
            String status,
            String exitCode,
            String exitDescription,
            LocalDateTime start,
            LocalDateTime end,
            Long durationMs,
            List<Step> steps) {}

    record Lease(String state, String lockedBy, String lockedAt, String until) {}

    record Snapshot(
            List<Execution> executions,
            Lease lease,
            Map<String, Long> notifications,
            LocalDateTime oldestQueued,
            long anomalies,
            List<String> anomalyOrderCodes,
            long writeFailures,
            List<WriteFailures.WriteFailure> writeFailureOrders) {}

    private final NamedParameterJdbcTemplate jdbc;
    private final JobLease jobLease;
    private final WriteFailures writeFailures;

    StatusReport(NamedParameterJdbcTemplate jdbc, JobLease jobLease, WriteFailures writeFailures) {
        this.jdbc = jdbc;
        this.jobLease = jobLease;
        this.writeFailures = writeFailures;
    }

    int execute(List<String> options, PrintStream out) {
        int limit = 10;
        boolean json = false;
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i);
            if (option.equals("--json")) {
                json = true;
            } else if (option.equals("--limit") && i + 1 < options.size()) {
                limit = parseLimit(options.get(++i));
            } else if (option.startsWith("--limit=")) {
                limit = parseLimit(option.substring("--limit=".length()));
            } else {
                throw new Cli.UsageException("status takes [--limit N] [--json], got '" + option + "'");
            }
        }
        Snapshot snapshot = snapshot(limit);
        if (json) {
            out.println(JsonMapper.builder()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .build()
                    .writeValueAsString(snapshot));
        } else {
            print(snapshot, out);
        }
        return ExitCodes.OK;
    }

    private static int parseLimit(String value) {
        try {
            int limit = Integer.parseInt(value);
            if (limit < 1 || limit > 1000) {
                throw new NumberFormatException();
            }
            return limit;
        } catch (NumberFormatException e) {
            throw new Cli.UsageException("--limit takes a number from 1 to 1000, got '" + value + "'");
        }
    }

    Snapshot snapshot(int limit) {
        List<Execution> executions = new ArrayList<>(jdbc.query(
                EXECUTIONS_SQL,
                Map.of("jobName", OrderCompletionJobConfiguration.JOB_NAME, "limit", limit),
                (rs, n) -> new Execution(
                        rs.getLong("JOB_EXECUTION_ID"),
                        rs.getLong("JOB_INSTANCE_ID"),
                        rs.getString("STATUS"),
                        rs.getString("EXIT_CODE"),
                        exitDescription(rs.getString("EXIT_MESSAGE")),
                        time(rs, "START_TIME"),
                        time(rs, "END_TIME"),
                        duration(time(rs, "START_TIME"), time(rs, "END_TIME")),
                        new ArrayList<>())));
        if (!executions.isEmpty()) {
            Map<Long, Execution> byId = new LinkedHashMap<>();
            executions.forEach(e -> byId.put(e.id(), e));
            jdbc.query(STEPS_SQL, Map.of("ids", byId.keySet()), rs -> {
                byId.get(rs.getLong("JOB_EXECUTION_ID"))
                        .steps()
                        .add(new Step(
                                rs.getString("STEP_NAME"),
                                rs.getString("STATUS"),
                                rs.getLong("READ_COUNT"),
                                rs.getLong("FILTER_COUNT"),
                                rs.getLong("WRITE_COUNT"),
                                rs.getLong("SKIP_COUNT"),
                                rs.getLong("COMMIT_COUNT"),
                                rs.getLong("ROLLBACK_COUNT"),
                                duration(time(rs, "START_TIME"), time(rs, "END_TIME"))));
            });
        }
        Lease lease = jobLease.holder()
                .map(h -> new Lease(
                        h.isHeld() ? "held" : "free",
                        h.lockedBy(),
                        String.valueOf(h.lockedAt()),
                        String.valueOf(h.until())))
                .orElse(new Lease("free", null, null, null));
        Map<String, Long> notifications = new LinkedHashMap<>();
        for (String status : List.of("queued", "sent", "failed", "skipped")) {
            notifications.put(status, 0L);
        }
        jdbc.query(NOTIFICATIONS_SQL, rs -> {
            notifications.put(rs.getString("status"), rs.getLong("n"));
        });
        Timestamp oldest = jdbc.getJdbcTemplate().queryForObject(OLDEST_QUEUED_SQL, Timestamp.class);
        Long anomalies = jdbc.getJdbcTemplate().queryForObject(ANOMALY_COUNT_SQL, Long.class);
        List<String> codes = jdbc.getJdbcTemplate().queryForList(ANOMALY_CODES_SQL, String.class);
        return new Snapshot(
                executions,
                lease,
                notifications,
                oldest == null ? null : oldest.toLocalDateTime(),
                anomalies == null ? 0 : anomalies,
                codes,
                writeFailures.count(),
                writeFailures.list(limit));
    }

    private static void print(Snapshot s, PrintStream out) {
        out.printf(
                "%-10s %-9s %-10s %-19s %10s  %s%n", "execution", "instance", "status", "started", "duration", "exit");
        for (Execution e : s.executions()) {
            out.printf(
                    "%-10d %-9d %-10s %-19s %10s  %s%n",
                    e.id(),
                    e.instanceId(),
                    e.status(),
                    e.start() == null ? "-" : e.start().format(WHEN),
                    e.durationMs() == null ? "-" : e.durationMs() + " ms",
                    e.exitCode() + ("COMPLETED".equals(e.exitCode()) ? "" : " " + e.exitDescription()));
            for (Step step : e.steps()) {
                out.printf(
                        "    %-10s %-10s read %d, filtered %d, written %d, skipped %d, commits %d, rollbacks %d%s%n",
                        step.name(),
                        step.status(),
                        step.read(),
                        step.filtered(),
                        step.written(),
                        step.skipped(),
                        step.commits(),
                        step.rollbacks(),
                        step.durationMs() == null ? "" : ", " + step.durationMs() + " ms");
            }
        }
        if (s.executions().isEmpty()) {
            out.println("(no execution of " + OrderCompletionJobConfiguration.JOB_NAME + " yet)");
        }
        out.println();
        out.println("lease: " + s.lease().state()
                + (s.lease().lockedBy() == null
                        ? ""
                        : " (by " + s.lease().lockedBy() + ", until "
                                + s.lease().until() + " UTC)"));
        out.println("notifications: " + s.notifications()
                + (s.oldestQueued() == null ? "" : ", oldest queued since " + s.oldestQueued()));
        out.println("anomalies (processing orders without tasks): " + s.anomalies()
                + (s.anomalyOrderCodes().isEmpty() ? "" : " e.g. " + String.join(", ", s.anomalyOrderCodes())));
        out.println("write failures (processing orders the database refused to complete): " + s.writeFailures());
        s.writeFailureOrders().forEach(f -> out.println("    " + f.describe()));
    }

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private static String exitDescription(String message) {
        return message == null || message.isBlank() ? "" : JobRunner.firstLine(message);
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
