package shop.reconciler.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.MessagingException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.repository.dao.DefaultExecutionContextSerializer;
import org.springframework.batch.core.repository.dao.JacksonExecutionContextStringSerializer;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.CommandLineShop;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ShopFixture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The job repository and the monitoring views as a DBA or a Grafana MySQL data source reads them,
 * after runs of the real command line against a known shop: JSON execution contexts that
 * {@code JSON_VALUE} reads, the launch recorded in the non-identifying parameters, every view's
 * rows, every panel of {@code jobs/monitoring/grafana-mysql-dashboard.json}; and an execution
 * that 0.6.0 left failed, with its contexts in Java serialisation, restarted by this build.
 */
class MonitoringViewsIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final String OS_USER = System.getProperty("user.name");

    private CommandLineShop commandLine;
    private ShopFixture shop;

    @BeforeEach
    void freshShop() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
        commandLine = new CommandLineShop("views", SMTP, "reconciler.chunk-size=5");
        shop = commandLine.shop;
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void jobRepositoryViewsAndDashboardShowAKnownShopAfterACleanRunAndARunWithoutMail() throws Exception {
        // given: three finished orders (one without a usable address), one stuck, one without tasks
        shop.processingOrder("MV-1", "mv1@example.com", "completed");
        shop.processingOrder("MV-2", "mv2@example.com", "completed", "failed");
        shop.processingOrder("MV-5", "not an address", "completed");
        long stuck = shop.processingOrder("MV-3", "mv3@example.com", "completed", "processing");
        shop.ageTasks(stuck, 2);
        shop.order("MV-4", "mv4@example.com", "processing");
        assertThat(cli("status").exit()).isZero(); // installs the schema, views included
        assertThat(codes("SELECT order_code FROM reconciler_completable_orders ORDER BY order_id"))
                .containsExactly("MV-1", "MV-2", "MV-5");

        // when: a clean run, then a run whose SMTP server does not answer
        CliRunner.Result clean = cli("run");
        shop.processingOrder("MV-6", "mv6@example.com", "completed");
        CliRunner.Result withoutMail = cli("run", "--spring.mail.port=" + closedPort());

        // then: the job repository
        assertThat(clean.exit()).describedAs(clean.describe()).isZero();
        assertThat(withoutMail.exit()).describedAs(withoutMail.describe()).isZero();
        assertThat(SMTP.getReceivedMessages()).hasSize(2);
        List<Long> executions = shop.jdbc()
                .queryForList("SELECT JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID", Long.class);
        assertThat(executions).hasSize(2);
        for (long execution : executions) {
            Map<String, String> parameters = parameters(execution);
            assertThat(parameters)
                    .describedAs("parameters of execution %d", execution)
                    .containsEntry("run.id", "Y")
                    .containsEntry("trigger=run", "N")
                    .containsEntry("user=" + OS_USER, "N")
                    .hasSize(4);
            assertThat(parameters.keySet())
                    .describedAs("parameters of execution %d", execution)
                    .anyMatch(key -> key.matches("node=\\d+@.+"));
        }
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_STEP_EXECUTION_CONTEXT WHERE NOT JSON_VALID(SHORT_CONTEXT)"))
                .isZero();
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION_CONTEXT WHERE NOT JSON_VALID(SHORT_CONTEXT)"))
                .isZero();
        assertThat(contextValue(executions.get(0), "reconcile", "$.\"reconcile.completed\"[1]"))
                .isEqualTo("3");
        assertThat(contextValue(executions.get(0), "reconcile", "$.\"reconcile.anomalies\"[1]"))
                .isEqualTo("1");
        assertThat(contextValue(executions.get(0), "send", "$.\"send.sent\"[1]"))
                .isEqualTo("2");
        assertThat(contextValue(executions.get(1), "send", "$.\"send.sent\"[1]"))
                .isNull();

        // and: the executions view
        List<Map<String, Object>> rows =
                shop.jdbc().queryForList("SELECT * FROM reconciler_executions ORDER BY execution_id");
        assertThat(rows).hasSize(2);
        Map<String, Object> first = rows.get(0);
        assertThat(first)
                .containsEntry("execution_id", executions.get(0))
                .containsEntry("run_id", 1L)
                .containsEntry("status", "COMPLETED")
                // one order has no recipient: its notification failed, which a person must see
                .containsEntry("exit_code", "COMPLETED_WITH_PROBLEMS")
                .containsEntry(
                        "exit_message",
                        "emails left queued 0, refused 0, failed 0, without recipient 1; orders set aside 0")
                .containsEntry("launch_trigger", "run")
                .containsEntry("launch_user", OS_USER)
                .containsEntry("reconcile_status", "COMPLETED")
                .containsEntry("reconcile_reads", 5L)
                .containsEntry("reconcile_rollbacks", 0L)
                .containsEntry("orders_completed", 3L)
                .containsEntry("orders_still_open", 1L)
                .containsEntry("orders_without_tasks", 1L)
                .containsEntry("orders_write_failed", 0L)
                .containsEntry("notifications_queued", 2L)
                .containsEntry("notifications_without_recipient", 1L)
                .containsEntry("send_status", "COMPLETED")
                .containsEntry("emails_sent", 2L)
                .containsEntry("emails_failed", 0L)
                .containsEntry("emails_retry_later", 0L);
        assertThat(String.valueOf(first.get("launch_node"))).matches("\\d+@.+");
        assertThat(((Number) first.get("duration_seconds")).doubleValue()).isPositive();
        Map<String, Object> second = rows.get(1);
        assertThat(second)
                .containsEntry("run_id", 2L)
                .containsEntry("orders_completed", 1L)
                .containsEntry("notifications_queued", 1L)
                .containsEntry("emails_sent", 0L);
        // the SMTP server was away: nothing sent, no attempt spent, the email left queued
        assertThat(second)
                .containsEntry("exit_code", "COMPLETED_WITH_PROBLEMS")
                .containsEntry("emails_retry_later", 0L)
                .containsEntry("emails_not_connected", 1L)
                .containsEntry("emails_left_queued", 1L);

        // and: the outbox, the orders a run would complete, anomalies, stuck orders
        Map<String, Map<String, Object>> outbox = shop.jdbc().queryForList("SELECT * FROM reconciler_outbox").stream()
                .collect(Collectors.toMap(row -> (String) row.get("status"), row -> row));
        assertThat(outbox).containsOnlyKeys("queued", "sent", "failed", "skipped");
        assertThat(outbox.get("queued")).containsEntry("notifications", 1L);
        assertThat((Long) outbox.get("queued").get("oldest_age_seconds")).isBetween(0L, 300L);
        assertThat(outbox.get("sent")).containsEntry("notifications", 2L);
        assertThat(outbox.get("failed")).containsEntry("notifications", 1L);
        assertThat(outbox.get("skipped")).containsEntry("notifications", 0L).containsEntry("oldest_age_seconds", null);
        assertThat(codes("SELECT order_code FROM reconciler_completable_orders"))
                .isEmpty();
        assertThat(codes("SELECT order_code FROM reconciler_anomalies")).containsExactly("MV-4");
        List<Map<String, Object>> stuckRows = shop.jdbc().queryForList("SELECT * FROM reconciler_stuck_orders");
        assertThat(stuckRows).singleElement().satisfies(row -> {
            assertThat(row).containsEntry("order_code", "MV-3").containsEntry("stuck_tasks", 1L);
            assertThat((Long) row.get("stuck_for_seconds")).isBetween(2 * 86_400L - 300, 2 * 86_400L + 300);
        });

        // and: every panel of the MySQL dashboard answers from the views
        Map<String, List<Map<String, Object>>> panels = dashboardPanels();
        assertThat(panels).hasSizeGreaterThanOrEqualTo(10);
        assertThat(panels.get("Last execution"))
                .singleElement()
                .satisfies(row -> assertThat(row)
                        .containsEntry("execution_id", executions.get(1))
                        .containsEntry("status", "COMPLETED")
                        .containsEntry("launch_trigger", "run"));
        assertThat(panels.get("Queued emails"))
                .singleElement()
                .satisfies(row -> assertThat(row).containsEntry("queued", 1L));
        assertThat(panels.get("Failed emails"))
                .singleElement()
                .satisfies(row -> assertThat(row).containsEntry("failed", 1L));
        assertThat(panels.get("Orders a run would complete now")).isEmpty();
        assertThat(panels.get("Processing orders without tasks"))
                .singleElement()
                .satisfies(row -> assertThat(row).containsEntry("order_code", "MV-4"));
        assertThat(panels.get("Stuck orders"))
                .singleElement()
                .satisfies(row -> assertThat(row).containsEntry("order_code", "MV-3"));
        assertThat(panels.get("Stuck"))
                .singleElement()
                .satisfies(row -> assertThat(row).containsEntry("stuck", 1L));
        assertThat(panels.get("Completable now"))
                .singleElement()
                .satisfies(row -> assertThat(row).containsEntry("completable", 0L));
        assertThat(panels.get("Without tasks"))
                .singleElement()
                .satisfies(row -> assertThat(row).containsEntry("anomalies", 1L));
        assertThat(panels.get("Failed executions (range)"))
                .singleElement()
                .satisfies(row -> assertThat(row).containsEntry("failed", 0L));
        assertThat(panels.get("Orders completed and emails per run")).hasSize(2);
        assertThat(panels.get("Run duration")).hasSize(2);
        assertThat(panels.get("Executions")).hasSize(2);
        assertThat(panels.get("Outbox by status"))
                .extracting(row -> row.get("status"))
                .containsExactly("queued", "failed", "sent", "skipped");
        assertThat(panels.get("Since the last completed run"))
                .singleElement()
                .satisfies(row ->
                        assertThat(((Number) row.get("seconds")).longValue()).isBetween(0L, 300L));
    }

    @Test
    void orderViewsFollowTheConfiguredRulesAndAreCreatedAgainWhenTheConfigurationChanges() throws Exception {
        // given: a shop whose workers also end tasks as 'cancelled' (its status column a VARCHAR)
        shop.jdbc().execute("ALTER TABLE download_tasks MODIFY status VARCHAR(32) NOT NULL DEFAULT 'pending'");
        shop.processingOrder("CV-1", "cv1@example.com", "completed");
        shop.processingOrder("CV-2", "cv2@example.com", "completed", "cancelled");
        ageTasksHours(shop.processingOrder("CV-3", "cv3@example.com", "completed", "processing"), 5);
        ageTasksHours(shop.processingOrder("CV-4", "cv4@example.com", "cancelled"), 48);
        shop.order("CV-5", "cv5@example.com", "processing");
        ageTasksHours(shop.processingOrder("CV-6", "cv6@example.com", "pending"), 1);
        ageTasksHours(shop.processingOrder("CV-7", "cv7@example.com", "Cancelled"), 48);
        String[] cancelledIsTerminal = {
            "--reconciler.terminal-task-statuses=completed,failed,cancelled", "--reconciler.stuck-task-after=3h"
        };
        String[] defaults = {};

        // when: the first start with 'cancelled' terminal and stuck after 3 hours
        JsonNode planA = plan(cancelledIsTerminal);

        // then: the views list what plan says a run would do, by the configured rules
        assertThat(codes("SELECT order_code FROM reconciler_completable_orders ORDER BY order_id"))
                .containsExactly("CV-1", "CV-2", "CV-4")
                .isEqualTo(planCodes(planA, "complete"));
        assertThat(codes("SELECT order_code FROM reconciler_stuck_orders ORDER BY order_id"))
                .containsExactly("CV-3", "CV-7")
                .isEqualTo(planCodes(planA, "stuck"));
        assertThat(codes("SELECT order_code FROM reconciler_anomalies ORDER BY order_id"))
                .containsExactly("CV-5")
                .isEqualTo(planCodes(planA, "anomalies"));
        CliRunner.Result explained = cli(args(cancelledIsTerminal, "explain", "CV-4", "--json"));
        assertThat(explained.exit()).describedAs(explained.describe()).isZero();
        assertThat(JsonMapper.builder()
                        .build()
                        .readTree(explained.out())
                        .get("verdict")
                        .asString())
                .isEqualTo("FINISHED");
        assertThat(viewMigrations())
                .describedAs("the views' migrations applied")
                .hasSize(1);

        // and: check with the other configuration says the views would be made again
        CliRunner.Result check = cli("check");
        assertThat(check.out())
                .describedAs(check.describe())
                .contains("NOTE repeatable migration (monitoring views) is pending");

        // when: a start with the default rules (terminal: completed and failed; stuck after 24 hours)
        JsonNode planB = plan(defaults);

        // then: the views were made again for them, and agree with plan again
        assertThat(viewMigrations())
                .describedAs("the views' migrations applied")
                .hasSize(2);
        assertThat(codes("SELECT order_code FROM reconciler_completable_orders ORDER BY order_id"))
                .containsExactly("CV-1")
                .isEqualTo(planCodes(planB, "complete"));
        assertThat(codes("SELECT order_code FROM reconciler_stuck_orders ORDER BY order_id"))
                .containsExactly("CV-4", "CV-7")
                .isEqualTo(planCodes(planB, "stuck"));
        assertThat(codes("SELECT order_code FROM reconciler_anomalies ORDER BY order_id"))
                .containsExactly("CV-5")
                .isEqualTo(planCodes(planB, "anomalies"));

        // when: a run with the same configuration
        CliRunner.Result run = cli("run");

        // then: it completed exactly what the view listed, and made the views no third time
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(codes("SELECT order_code FROM orders WHERE order_status = 'completed' ORDER BY id"))
                .containsExactly("CV-1");
        assertThat(codes("SELECT order_code FROM reconciler_completable_orders"))
                .isEmpty();
        assertThat(viewMigrations()).hasSize(2);
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }

    /** Every application of the views' repeatable migration in the schema history, all successful. */
    private List<Map<String, Object>> viewMigrations() {
        List<Map<String, Object>> rows = shop.jdbc()
                .queryForList("SELECT checksum, success FROM reconciler_schema_history"
                        + " WHERE version IS NULL AND description = 'monitoring views' ORDER BY installed_rank");
        assertThat(rows).allSatisfy(row -> assertThat(row.get("success")).isEqualTo(Boolean.TRUE));
        assertThat(rows.stream().map(row -> row.get("checksum")).distinct())
                .describedAs("each application for another configuration")
                .hasSameSizeAs(rows);
        return rows;
    }

    private JsonNode plan(String... configuration) throws IOException {
        CliRunner.Result plan = cli(args(configuration, "plan", "--json"));
        assertThat(plan.exit()).describedAs(plan.describe()).isZero();
        return JsonMapper.builder().build().readTree(plan.out()).get("reconcile");
    }

    private static List<String> planCodes(JsonNode plan, String group) {
        List<String> codes = new ArrayList<>();
        plan.get(group).get("first").forEach(code -> codes.add(code.asString()));
        assertThat(plan.get(group).get("count").asLong()).isEqualTo(codes.size());
        return codes;
    }

    private static String[] args(String[] configuration, String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(configuration));
        return all.toArray(String[]::new);
    }

    private void ageTasksHours(long orderId, int hours) {
        shop.jdbc()
                .update(
                        "UPDATE download_tasks SET updated_at = NOW(3) - INTERVAL ? HOUR WHERE order_id = ?",
                        hours,
                        orderId);
    }

    @Test
    void executionLeftFailedBy060InJavaSerialisedFormRestartsAfterTheUpgrade() throws Exception {
        // given: 20 orders in chunks of 5 and two partitions; DH-R02 stays open; the database
        // refuses DH-R13's notification, so the first run fails in the second partition
        for (int i = 1; i <= 20; i++) {
            shop.processingOrder(
                    String.format("DH-R%02d", i), "r" + i + "@example.com", i == 2 ? "processing" : "completed");
        }
        assertThat(cli("status").exit()).isZero();
        CliRunner.Result failed =
                shop.refusingNotificationOf("DH-R13", () -> cli("run", "--reconciler.max-write-failures=0"));
        assertThat(failed.exit()).describedAs(failed.describe()).isEqualTo(1);
        assertThat(shop.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'"))
                .isEqualTo(9);
        assertThat(SMTP.getReceivedMessages()).hasSize(9);
        long failedId = shop.jdbc().queryForObject("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION", Long.class);
        // and: its job repository rows as 0.6.0 wrote them: contexts in Java serialisation, run.id only
        asWrittenBy060();
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_STEP_EXECUTION_CONTEXT WHERE SHORT_CONTEXT LIKE 'rO0AB%'"))
                .isEqualTo(shop.count("SELECT COUNT(*) FROM BATCH_STEP_EXECUTION_CONTEXT"))
                .isEqualTo(4); // reconcile, its two partitions, send

        // when
        CliRunner.Result restarted = cli("restart", "--last-failed");

        // then: the instance resumed after its last committed chunk; every order completed once,
        // one email each
        assertThat(restarted.exit()).describedAs(restarted.describe()).isZero();
        long restartId =
                shop.jdbc().queryForObject("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION", Long.class);
        assertThat(restartId).isGreaterThan(failedId);
        assertThat(shop.count(
                        "SELECT COUNT(DISTINCT JOB_INSTANCE_ID) FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID IN (?, ?)",
                        failedId,
                        restartId))
                .isEqualTo(1);
        assertThat(shop.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'"))
                .isEqualTo(19);
        assertThat(shop.orderStatus("DH-R02")).isEqualTo("processing");
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'"))
                .isEqualTo(19);
        assertThat(SMTP.getReceivedMessages()).hasSize(19);
        assertThat(Arrays.stream(SMTP.getReceivedMessages())
                        .map(MonitoringViewsIntegrationTest::subject)
                        .distinct())
                .hasSize(19);
        // and: the restart's rows are JSON with its own launch; the 0.6.0 rows read as NULL counters
        Map<String, Object> restart =
                shop.jdbc().queryForMap("SELECT * FROM reconciler_executions WHERE execution_id = ?", restartId);
        assertThat(restart)
                .containsEntry("status", "COMPLETED")
                .containsEntry("run_id", 1L)
                .containsEntry("launch_trigger", "restart")
                .containsEntry("launch_user", OS_USER)
                .containsEntry("reconcile_reads", 10L)
                .containsEntry("orders_completed", 10L)
                .containsEntry("emails_sent", 10L);
        assertThat(contextValue(restartId, "reconcile", "$.\"reconcile.completed\"[1]"))
                .isEqualTo("10");
        Map<String, Object> old =
                shop.jdbc().queryForMap("SELECT * FROM reconciler_executions WHERE execution_id = ?", failedId);
        assertThat(old)
                .containsEntry("status", "FAILED")
                .containsEntry("launch_trigger", null)
                .containsEntry("orders_completed", null)
                .containsEntry("reconcile_status", "FAILED");
    }

    /** Rewrites every execution context in Java serialisation and drops the launch parameters. */
    private void asWrittenBy060() throws IOException {
        var json = new JacksonExecutionContextStringSerializer();
        var java = new DefaultExecutionContextSerializer();
        for (String table : List.of("BATCH_STEP_EXECUTION_CONTEXT", "BATCH_JOB_EXECUTION_CONTEXT")) {
            String id = table.startsWith("BATCH_STEP") ? "STEP_EXECUTION_ID" : "JOB_EXECUTION_ID";
            for (Map<String, Object> row : shop.jdbc()
                    .queryForList("SELECT " + id + " AS id, COALESCE(SERIALIZED_CONTEXT, SHORT_CONTEXT) AS ctx FROM "
                            + table)) {
                Map<String, Object> context = json.deserialize(
                        new ByteArrayInputStream(((String) row.get("ctx")).getBytes(StandardCharsets.UTF_8)));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                java.serialize(context, out);
                String serialized = out.toString(StandardCharsets.ISO_8859_1);
                boolean isLong = serialized.length() > 2500;
                shop.jdbc()
                        .update(
                                "UPDATE " + table + " SET SHORT_CONTEXT = ?, SERIALIZED_CONTEXT = ? WHERE " + id
                                        + " = ?",
                                isLong ? serialized.substring(0, 2492) + " ..." : serialized,
                                isLong ? serialized : null,
                                row.get("id"));
            }
        }
        shop.jdbc().update("DELETE FROM BATCH_JOB_EXECUTION_PARAMS WHERE PARAMETER_NAME <> 'run.id'");
    }

    /** The panels' SQL as Grafana sends it, {@code $__timeFilter(c)} as the last 7 days. */
    private Map<String, List<Map<String, Object>>> dashboardPanels() throws IOException {
        JsonNode dashboard = JsonMapper.builder()
                .build()
                .readTree(Files.readString(Path.of("jobs/monitoring/grafana-mysql-dashboard.json")));
        Map<String, List<Map<String, Object>>> results = new java.util.LinkedHashMap<>();
        for (JsonNode panel : dashboard.get("panels")) {
            String title = panel.get("title").asString();
            assertThat(panel.get("datasource").get("type").asString())
                    .describedAs(title)
                    .isEqualTo("mysql");
            for (JsonNode target : panel.get("targets")) {
                String sql = target.get("rawSql")
                        .asString()
                        .replaceAll(
                                "\\$__timeFilter\\(([a-z_]+)\\)",
                                "$1 BETWEEN NOW() - INTERVAL 7 DAY AND NOW() + INTERVAL 1 DAY");
                assertThat(sql).describedAs(title).doesNotContain("$").containsPattern("\\breconciler_[a-z_]+\\b");
                assertThat(sql)
                        .describedAs("%s reads only the views", title)
                        .doesNotContainIgnoringCase("BATCH_")
                        .doesNotContainIgnoringCase("order_notifications")
                        .doesNotContainIgnoringCase("download_tasks");
                List<Map<String, Object>> rows = shop.jdbc().queryForList(sql);
                assertThat(results.put(title, rows))
                        .describedAs("two panels titled %s", title)
                        .isNull();
            }
        }
        return results;
    }

    private Map<String, String> parameters(long execution) {
        Map<String, String> parameters = new java.util.HashMap<>();
        shop.jdbc()
                .query(
                        "SELECT PARAMETER_NAME, PARAMETER_VALUE, IDENTIFYING FROM BATCH_JOB_EXECUTION_PARAMS"
                                + " WHERE JOB_EXECUTION_ID = ?",
                        rs -> {
                            String name = rs.getString(1);
                            String key = name.equals("run.id") ? name : name + "=" + rs.getString(2);
                            parameters.put(key, rs.getString(3));
                        },
                        execution);
        return parameters;
    }

    /** {@code JSON_VALUE} of the named step's context of an execution, as a DBA would query it. */
    private String contextValue(long execution, String step, String path) {
        return shop.jdbc()
                .queryForObject(
                        "SELECT JSON_VALUE(c.SHORT_CONTEXT, ?) FROM BATCH_STEP_EXECUTION_CONTEXT c"
                                + " JOIN BATCH_STEP_EXECUTION s ON s.STEP_EXECUTION_ID = c.STEP_EXECUTION_ID"
                                + " WHERE s.JOB_EXECUTION_ID = ? AND s.STEP_NAME = ?",
                        String.class,
                        path,
                        execution,
                        step);
    }

    private List<String> codes(String sql) {
        return shop.jdbc().queryForList(sql, String.class);
    }

    private static String subject(jakarta.mail.internet.MimeMessage message) {
        try {
            return message.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private CliRunner.Result cli(String... args) {
        return commandLine.cli(args);
    }
}
