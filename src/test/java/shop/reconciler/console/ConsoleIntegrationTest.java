package shop.reconciler.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.ConsoleSession;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.ServeUnderTest;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.TestDatabase;

/**
 * The console as a browser meets it, over plain HTTP against a real {@code serve}, database and
 * SMTP server: the login form, each page's content for a known shop, who may do what, CSRF.
 */
class ConsoleIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    static final String VIEWER_SECRET = "viewer-Secret-4711";
    static final String OPERATOR_SECRET = "operator-Secret-0815";

    private TestDatabase.DatabaseRef database;
    private ShopFixture shop;
    private ServeUnderTest node;
    private ReconcilerProcess serve;
    private int port;

    @BeforeEach
    void freshShop() throws Exception {
        node = new ServeUnderTest("console", SMTP);
        database = node.database;
        shop = node.shop;
        port = node.port();
        SMTP.purgeEmailFromAllMailboxes();
    }

    @AfterEach
    void stopServe() {
        if (node != null) {
            node.close();
        }
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void pagesShowTheShopToAViewerAndOnlyTheOperatorRequeuesWithACsrfToken() throws Exception {
        // given: one order sent, one whose address is unusable (its notification fails), one open
        shop.processingOrder("C-0001", "ada@example.com", "completed");
        shop.processingOrder("C-<b>2</b>", "not an address", "completed");
        shop.processingOrder("C-0003", "bob@example.com", "completed", "processing");
        startServe(
                "--reconciler.management.viewer.password=" + VIEWER_SECRET,
                "--reconciler.management.operator.password=" + OPERATOR_SECRET);
        await(
                ReconcilerProcess.STARTED_WITHIN,
                () -> shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'") == 1
                        && shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'failed'") == 1);
        // the scheduled runs record their trigger
        assertThat(shop.jdbc()
                        .queryForList(
                                "SELECT DISTINCT PARAMETER_VALUE FROM BATCH_JOB_EXECUTION_PARAMS"
                                        + " WHERE PARAMETER_NAME = 'trigger'",
                                String.class))
                .containsExactly("cron");

        // anonymous: sent to the login page, which is a labelled form
        ConsoleSession anonymous = new ConsoleSession(port);
        HttpResponse<String> overviewAnon = anonymous.get("/console");
        assertThat(overviewAnon.statusCode()).isEqualTo(302);
        assertThat(overviewAnon.headers().firstValue("Location").orElse("")).endsWith("/console/login");
        HttpResponse<String> login = anonymous.get("/console/login");
        assertThat(login.body()).contains("<label for=\"username\">", "<label for=\"password\">", "_csrf");
        assertThat(anonymous
                        .post("/console/actions/requeue", "order=C-0001", true)
                        .statusCode())
                .isIn(302, 403);

        // a wrong password is refused
        ConsoleSession guess = new ConsoleSession(port);
        assertThat(guess.signIn("operator", "guess")
                        .headers()
                        .firstValue("Location")
                        .orElse(""))
                .endsWith("/console/login?error");

        // viewer: sees the overview, the notifications and the order lookup, but no action
        ConsoleSession viewer = new ConsoleSession(port);
        viewer.signIn("viewer", VIEWER_SECRET);
        String overview = viewer.get("/console").body();
        assertThat(overview).contains("Overview", "Last executions", "<svg", "<td>reconcile<", "Lease", "UP");
        assertThat(overview).contains("<time datetime=\"").contains(" UTC</time>");
        // the freshness figures monitoring reads, and the lease's times as <time> elements
        assertThat(overview)
                .contains("Freshness, as monitoring reads it", "<dt>Last completed run ended</dt><dd>")
                .contains("<dt>Finished orders not completed yet</dt><dd>0</dd>")
                .contains("<dt>Stuck orders</dt><dd>0</dd>");
        // anomalies and stuck orders as the last reconcile step counted them, with its execution and
        // end; counted now on request
        assertThat(overview)
                .containsPattern("Anomalies and stuck orders as execution [0-9]+'s reconcile step counted them"
                        + " while it read every processing order, ended <time datetime=")
                .contains("<a href=\"/console?live\">count them now</a>");
        assertThat(viewer.get("/console?live").body())
                .contains("Anomalies and stuck orders counted now, <time datetime=")
                .contains("<dt>Finished orders not completed yet</dt><dd>0</dd>");
        assertThat(overview)
                .containsPattern("<dt>Lease</dt><dd>(held by [^<]+ since|free \\(last held by [^<]+,"
                        + " expired) <time datetime=\"[0-9T:-]+Z\"");
        String execution = viewer.get("/console/executions/1").body();
        assertThat(execution).contains("Execution 1", "<td>reconcile", "<td>send");
        assertThat(viewer.get("/console/executions/999").statusCode()).isEqualTo(404);
        String failed = viewer.get("/console/notifications?status=failed").body();
        assertThat(failed).contains("C-&lt;b&gt;2&lt;/b&gt;").doesNotContain("C-<b>2</b>");
        assertThat(failed).doesNotContain("C-0001").doesNotContain(">Requeue</button>");
        // the notifications filter: status, since, error text, the values kept in the form
        String filtered = viewer.get("/console/notifications?status=&since=1h&error=recipient")
                .body();
        assertThat(filtered)
                .contains("C-&lt;b&gt;2&lt;/b&gt;")
                .doesNotContain("C-0001")
                .contains("id=\"since\" name=\"since\" value=\"1h\"", "id=\"error\" name=\"error\" value=\"recipient\"")
                .contains("<option value=\"\" selected>any status</option>");
        assertThat(viewer.get("/console/notifications?status=sent&since=1h").body())
                .contains("C-0001")
                .doesNotContain("C-&lt;b&gt;2&lt;/b&gt;")
                .contains("<option value=\"sent\" selected>sent</option>");
        assertThat(viewer.get("/console/notifications?since=2999-01-01").body())
                .contains("No notification matched.")
                .doesNotContain("C-0001");
        assertThat(viewer.get("/console/notifications?since=yesterday&error=%3Cb%3E")
                        .body())
                .contains("Queued since: &#39;yesterday&#39; is neither a duration", "value=\"yesterday\"")
                .contains("value=\"&lt;b&gt;\"")
                .doesNotContain("C-0001");
        String order = viewer.get("/console/orders?code=C-0003").body();
        assertThat(order).contains("Order C-0003", "open", "processing");
        assertThat(viewer.get("/console/orders?code=NOPE").body()).contains("No order with code 'NOPE'");
        assertThat(viewer.post("/console/actions/requeue", "order=C-%3Cb%3E2%3C%2Fb%3E", true)
                        .statusCode())
                .isEqualTo(403);

        // operator: sees the requeue button; without the CSRF token the action is refused
        ConsoleSession operator = new ConsoleSession(port);
        operator.signIn("operator", OPERATOR_SECRET);
        assertThat(operator.get("/console/notifications?status=failed").body()).contains(">Requeue</button>");
        shop.jdbc().update("UPDATE orders SET user_email = 'carol@example.com' WHERE order_code = 'C-<b>2</b>'");
        assertThat(operator.post("/console/actions/requeue", "order=C-%3Cb%3E2%3C%2Fb%3E", false)
                        .statusCode())
                .isEqualTo(403);
        assertThat(shop.notification("C-<b>2</b>").get("status")).isEqualTo("failed");

        // with it, the notification goes back in the queue (and the next run sends it)
        HttpResponse<String> requeued = operator.post("/console/actions/requeue", "order=C-%3Cb%3E2%3C%2Fb%3E", true);
        assertThat(requeued.statusCode()).isEqualTo(303);
        String queuedPage = operator.get("/console/notifications?status=queued").body();
        assertThat(queuedPage).contains("requeued C-&lt;b&gt;2&lt;/b&gt;");
        await(
                Duration.ofSeconds(60),
                () -> "sent".equals(shop.notification("C-<b>2</b>").get("status")));
        assertThat(serve.output()).contains("console: operator requeue C-<b>2</b>: requeued");
    }

    @Test
    void anOperatorRestartsAFailedExecutionInTheBackgroundStopsARunningOneAndAbandonsIt() throws Exception {
        // given: serve, whose cron does not fire during the test, and a run launched by hand that
        // fails in the database (the shop refuses R-2's notification, which fails the step)
        shop.processingOrder("R-1", "r1@example.com", "completed");
        shop.processingOrder("R-2", "r2@example.com", "completed", "failed");
        serve = node.startOnCron(
                "0 0 0 1 1 *",
                "--reconciler.management.viewer.password=" + VIEWER_SECRET,
                "--reconciler.management.operator.password=" + OPERATOR_SECRET);
        CliRunner.Result failedRun = shop.refusingNotificationOf(
                "R-2", () -> cli("run", "--reconciler.chunk-size=1", "--reconciler.max-write-failures=0"));
        assertThat(failedRun.exit()).describedAs(failedRun.describe()).isEqualTo(1);
        long failed = lastExecutionId();
        assertThat(executionStatus(failed)).isEqualTo("FAILED");
        assertThat(shop.orderStatus("R-2")).isEqualTo("processing");
        ConsoleSession anonymous = new ConsoleSession(port);
        await(ReconcilerProcess.STARTED_WITHIN, () -> {
            try {
                return anonymous.get("/console/login").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });

        // a viewer sees the failed execution, and no action
        ConsoleSession viewer = new ConsoleSession(port);
        viewer.signIn("viewer", VIEWER_SECRET);
        String viewed = viewer.get("/console/executions/" + failed).body();
        assertThat(viewed)
                .contains("Execution " + failed, "FAILED", "<p class=\"error\">Step reconcile-partition:1: ")
                .doesNotContain("<button type=\"submit\" name=\"do\"");
        assertThat(viewer.post("/console/actions/executions/" + failed + "/restart", "", true)
                        .statusCode())
                .isEqualTo(403);

        // the operator is offered restart and abandon (not stop) for a failed execution
        ConsoleSession operator = new ConsoleSession(port);
        operator.signIn("operator", OPERATOR_SECRET);
        String page = operator.get("/console/executions/" + failed).body();
        assertThat(page)
                .contains(">Restart execution " + failed + "<", ">Abandon execution " + failed + "<")
                .doesNotContain(">Stop execution");
        assertThat(operator.post("/console/actions/executions/" + failed + "/restart", "", false)
                        .statusCode())
                .isEqualTo(403);

        // when the lease is held elsewhere, the restart does nothing and says so
        shop.jdbc()
                .update("UPDATE shedlock SET lock_until = TIMESTAMPADD(HOUR, 1, UTC_TIMESTAMP(3)),"
                        + " locked_by = 'other@elsewhere' WHERE name = 'orderCompletionJob'");
        assertThat(operator.post("/console/actions/executions/" + failed + "/restart", "", true)
                        .statusCode())
                .isEqualTo(303);
        assertThat(operator.get("/console/executions/" + failed).body())
                .contains("not started: the lease ", "orderCompletionJob", "is held by other@elsewhere");
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION")).isEqualTo(1);
        shop.jdbc()
                .update("UPDATE shedlock SET lock_until = TIMESTAMPADD(SECOND, -1, UTC_TIMESTAMP(3))"
                        + " WHERE name = 'orderCompletionJob'");

        // when: restarted from the console, with R-2's write slowed down so the run outlasts the request
        shop.jdbc()
                .execute("CREATE TRIGGER slow_r2 BEFORE INSERT ON order_notifications FOR EACH ROW"
                        + " BEGIN IF NEW.order_code = 'R-2' THEN DO SLEEP(3); END IF; END");
        HttpResponse<String> restarted = operator.post("/console/actions/executions/" + failed + "/restart", "", true);

        // then: the request came back while the run goes on; the page says the restart started
        assertThat(restarted.statusCode()).isEqualTo(303);
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'"))
                .describedAs("executions completed when the restart's request was answered")
                .isZero();
        assertThat(restarted.headers().firstValue("Location").orElse("")).endsWith("/console/executions/" + failed);
        assertThat(operator.get("/console/executions/" + failed).body())
                .contains("restart of execution " + failed + " started");
        // and the same instance ends completed, each order's email sent exactly once
        await(
                Duration.ofSeconds(60),
                () -> shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'") == 1);
        shop.jdbc().execute("DROP TRIGGER slow_r2");
        assertThat(shop.count("SELECT COUNT(DISTINCT JOB_INSTANCE_ID) FROM BATCH_JOB_EXECUTION"))
                .isEqualTo(1);
        assertThat(shop.orderStatus("R-2")).isEqualTo("completed");
        await(Duration.ofSeconds(30), () -> SMTP.getReceivedMessages().length >= 2);
        Thread.sleep(500);
        assertThat(Arrays.stream(SMTP.getReceivedMessages()).map(ConsoleIntegrationTest::subject))
                .hasSize(2)
                .anyMatch(subject -> subject.contains("R-1"))
                .anyMatch(subject -> subject.contains("R-2"));
        long restartedId = lastExecutionId();
        // the restart records the console as its trigger and the signed-in account as its user
        assertThat(shop.jdbc()
                        .queryForList(
                                "SELECT CONCAT(PARAMETER_NAME, '=', PARAMETER_VALUE) FROM BATCH_JOB_EXECUTION_PARAMS"
                                        + " WHERE JOB_EXECUTION_ID = ? AND IDENTIFYING = 'N'",
                                String.class,
                                restartedId))
                .contains("trigger=console", "user=operator");
        assertThat(serve.output())
                .contains("console: operator restart " + failed + ": restart of execution " + failed + " started")
                .contains("console restart of execution " + failed + " by operator: execution " + restartedId);
        assertThat(countOf(serve.output(), "console: operator restart " + failed + ":"))
                .describedAs("log lines of the two restarts")
                .isEqualTo(2);
        // and the failed execution, its instance now complete, is not restarted again
        operator.post("/console/actions/executions/" + failed + "/restart", "", true);
        assertThat(operator.get("/console/executions/" + failed).body())
                .contains("refused: execution " + failed + " was followed by execution " + restartedId
                        + " of its instance, which is COMPLETED");
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION")).isEqualTo(2);

        // given: a long run launched by hand (each order's write sleeps)
        for (int i = 1; i <= 20; i++) {
            shop.processingOrder(String.format("S-%02d", i), "s" + i + "@example.com", "completed");
        }
        shop.jdbc()
                .execute("CREATE TRIGGER slow_s BEFORE INSERT ON order_notifications FOR EACH ROW"
                        + " BEGIN DO SLEEP(0.5); END");
        CompletableFuture<CliRunner.Result> longRun =
                CompletableFuture.supplyAsync(() -> cli("run", "--reconciler.chunk-size=1"));
        await(
                Duration.ofSeconds(60),
                () -> shop.count(
                                "SELECT COUNT(*) FROM orders WHERE order_code LIKE 'S-%' AND order_status = 'completed'")
                        >= 1);
        long running = lastExecutionId();
        assertThat(executionStatus(running)).isEqualTo("STARTED");

        // when: the operator stops it from its page, which offers only stop
        String runningPage = operator.get("/console/executions/" + running).body();
        assertThat(runningPage)
                .contains(">Stop execution " + running + "<")
                .doesNotContain(">Restart execution")
                .doesNotContain(">Abandon execution");
        operator.post("/console/actions/executions/" + running + "/stop", "", true);

        // then: it ends STOPPED at a chunk boundary, the CLI's run says so
        assertThat(operator.get("/console/executions/" + running).body())
                .contains(
                        "stop requested: execution " + running + " stops at its next chunk boundary and ends STOPPED");
        CliRunner.Result stopped = longRun.get(60, TimeUnit.SECONDS);
        shop.jdbc().execute("DROP TRIGGER slow_s");
        assertThat(stopped.out()).describedAs(stopped.describe()).contains("STOPPED");
        assertThat(executionStatus(running)).isEqualTo("STOPPED");
        assertThat(shop.count(
                        "SELECT COUNT(*) FROM orders WHERE order_code LIKE 'S-%' AND order_status = 'processing'"))
                .isPositive();

        // when: abandoned, the page offers nothing more and a restart is refused
        String stoppedPage = operator.get("/console/executions/" + running).body();
        assertThat(stoppedPage)
                .contains(">Restart execution " + running + "<", ">Abandon execution " + running + "<")
                .doesNotContain(">Stop execution");
        operator.post("/console/actions/executions/" + running + "/abandon", "", true);
        String abandonedPage = operator.get("/console/executions/" + running).body();
        assertThat(abandonedPage)
                .contains("execution " + running + " is ABANDONED: it will not be restarted")
                .doesNotContain("name=\"do\"");
        assertThat(executionStatus(running)).isEqualTo("ABANDONED");
        operator.post("/console/actions/executions/" + running + "/restart", "", true);
        assertThat(operator.get("/console/executions/" + running).body())
                .contains("refused: execution " + running + " is ABANDONED and cannot be restarted");
        assertThat(serve.output())
                .contains("console: operator stop " + running + ": stop requested")
                .contains("console: operator abandon " + running + ": execution " + running + " is ABANDONED")
                .contains("console: operator restart " + running + ": refused");
    }

    private long lastExecutionId() {
        return shop.jdbc().queryForObject("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION", Long.class);
    }

    private String executionStatus(long id) {
        return shop.jdbc()
                .queryForObject("SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?", String.class, id);
    }

    private static String subject(jakarta.mail.internet.MimeMessage message) {
        try {
            return message.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int countOf(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void actionsOffMakeTheConsoleReadOnlyAndSayingSo() throws Exception {
        shop.processingOrder("C-0002", "not an address", "completed");
        startServe(
                "--reconciler.console.actions=false", "--reconciler.management.operator.password=" + OPERATOR_SECRET);
        await(ReconcilerProcess.STARTED_WITHIN, () -> shop.count("SELECT COUNT(*) FROM order_notifications") == 1);
        ConsoleSession operator = new ConsoleSession(port);
        operator.signIn("operator", OPERATOR_SECRET);
        String page = operator.get("/console/notifications?status=failed").body();
        assertThat(page).contains("Read-only", "C-0002").doesNotContain(">Requeue</button>");
        shop.jdbc().update("UPDATE orders SET user_email = 'dan@example.com'");
        assertThat(operator.post("/console/actions/requeue", "order=C-0002", true)
                        .statusCode())
                .isEqualTo(403);
        assertThat(shop.notification("C-0002").get("status")).isEqualTo("failed");
        assertThat(operator.get("/console/executions/1").body())
                .contains("Read-only")
                .doesNotContain("name=\"do\"");
        assertThat(operator.post("/console/actions/executions/1/abandon", "", true)
                        .statusCode())
                .isEqualTo(403);
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'ABANDONED'"))
                .isZero();
    }

    @Test
    void consoleOffServesNothingUnderConsole() throws Exception {
        startServe(
                "--reconciler.console.enabled=false", "--reconciler.management.operator.password=" + OPERATOR_SECRET);
        ConsoleSession anonymous = new ConsoleSession(port);
        await(ReconcilerProcess.STARTED_WITHIN, () -> {
            try {
                return anonymous.get("/actuator/health").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(anonymous.get("/console/login").statusCode()).isIn(401, 403);
    }

    private void startServe(String... extra) {
        serve = node.start(extra);
    }

    private void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        node.await(limit, condition);
    }

    private List<String> springArgs() {
        return node.springArgs();
    }

    private CliRunner.Result cli(String... args) {
        return node.cli(args);
    }
}
