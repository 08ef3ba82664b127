package shop.reconciler.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

/**
 * The console's side of the audit trail and of requeueing a notification whose deliveries'
 * outcome is unknown, over plain HTTP against a real {@code serve}, database and SMTP server:
 * what the page says before the button, who gets the explicit button, each action (requeue,
 * stop, abandon, restart) as one row with the account and the reason, and the audit page, which
 * only shows.
 */
class ConsoleAuditIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final String VIEWER_SECRET = "viewer-Secret-4711";
    private static final String OPERATOR_SECRET = "operator-Secret-0815";

    private ServeUnderTest node;
    private ShopFixture shop;
    private ReconcilerProcess serve;

    @BeforeEach
    void freshShop() throws Exception {
        node = new ServeUnderTest("consoleaudit", SMTP);
        shop = node.shop;
        SMTP.purgeEmailFromAllMailboxes();
    }

    @AfterEach
    void stopServe() {
        node.close();
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void theConsoleWarnsBeforeRequeueingAnUncertainNotificationAndRecordsEveryActionWithTheAccountAndReason()
            throws Exception {
        // given: CA-1 failed for want of an address (since corrected); CA-U failed after two
        // deliveries of unknown outcome; a failed execution; serve on a cron that does not fire
        shop.processingOrder("CA-1", "not an address", "completed");
        shop.processingOrder("CA-U", "cau@example.com", "completed");
        assertThat(node.cli("run").exit()).isZero();
        shop.jdbc()
                .update("UPDATE order_notifications SET status = 'failed', sent_at = NULL, uncertain_deliveries = 2,"
                        + " last_error = 'the outcome of two deliveries is unknown' WHERE order_code = 'CA-U'");
        shop.jdbc().update("UPDATE orders SET user_email = 'ca1@example.com' WHERE order_code = 'CA-1'");
        long abandoned = failedRun("CA-3");
        serve = node.startOnCron(
                "0 0 0 1 1 *",
                "--reconciler.management.viewer.password=" + VIEWER_SECRET,
                "--reconciler.management.operator.password=" + OPERATOR_SECRET);
        ConsoleSession viewer = new ConsoleSession(node.port());
        node.await(Duration.ofSeconds(240), () -> viewer.reachable());
        viewer.signIn("viewer", VIEWER_SECRET);
        ConsoleSession operator = new ConsoleSession(node.port());
        operator.signIn("operator", OPERATOR_SECRET);

        // when: each looks at the failed notifications
        String viewed = viewer.get("/console/notifications?status=failed").body();
        String offered = operator.get("/console/notifications?status=failed").body();

        // then: both read, before any button, that CA-U's customer may have the email and which
        // Message-ID to look for; only the operator gets the explicit button
        for (String page : List.of(viewed, offered)) {
            assertThat(page)
                    .contains("Not requeued by a plain requeue:</strong> the customer may have this email already (2"
                            + " deliveries of unknown outcome)")
                    .contains("Look for Message-ID &lt;order-CA-U@");
        }
        assertThat(viewed).doesNotContain(">Requeue anyway", ">Requeue</button>");
        assertThat(offered).contains(">Requeue anyway: one more delivery</button>", ">Requeue</button>");
        assertThat(countOf(offered, ">Requeue anyway")).isEqualTo(1);

        // when: the operator requeues CA-U plainly (as a hand-made request would), then explicitly,
        // and CA-1, each with a reason
        operator.post("/console/actions/requeue", "order=CA-U", true);
        String refusedPage =
                operator.get("/console/notifications?status=failed").body();
        assertThat(shop.notification("CA-U"))
                .containsEntry("status", "failed")
                .containsEntry("uncertain_deliveries", 2);
        operator.post(
                "/console/actions/requeue", "order=CA-U&uncertain=true&reason=" + form("not in the relay's log"), true);
        operator.post("/console/actions/requeue", "order=CA-1&reason=" + form("address fixed, ticket 12"), true);

        // then
        assertThat(refusedPage).contains("refused CA-U: 2 delivery(ies) of unknown outcome");
        assertThat(shop.notification("CA-U"))
                .containsEntry("status", "queued")
                .containsEntry("uncertain_deliveries", 1);
        assertThat(shop.notification("CA-1")).containsEntry("status", "queued");

        // when: stop (not running: refused), abandon and, on a second failed execution, restart
        operator.post("/console/actions/executions/" + abandoned + "/stop", "reason=" + form("looked stuck"), true);
        operator.post("/console/actions/executions/" + abandoned + "/abandon", "reason=" + form("obsolete"), true);
        long restarted = failedRun("CA-4");
        operator.post("/console/actions/executions/" + restarted + "/restart", "", true);
        node.await(
                Duration.ofSeconds(60),
                () -> shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'") == 2);

        // then: one row per action, the account, the channel, what it named, the outcome, the reason
        List<Map<String, Object>> rows = shop.jdbc()
                .queryForList("SELECT actor, channel, action, target, execution_id, affected, outcome, reason"
                        + " FROM reconciler_audit ORDER BY id");
        assertThat(rows)
                .extracting(r -> r.get("actor") + " " + r.get("channel") + " " + r.get("action") + " " + r.get("target")
                        + ": " + r.get("reason"))
                .containsExactly(
                        "operator console requeue CA-U: null",
                        "operator console requeue --uncertain CA-U: not in the relay's log",
                        "operator console requeue CA-1: address fixed, ticket 12",
                        "operator console stop execution " + abandoned + ": looked stuck",
                        "operator console abandon execution " + abandoned + ": obsolete",
                        "operator console restart execution " + restarted + ": null");
        assertThat((String) rows.get(0).get("outcome"))
                .startsWith("requeued 0 notification(s); left out 1 with deliveries of unknown outcome");
        assertThat(rows.get(0)).containsEntry("affected", 0L);
        assertThat(rows.get(1)).containsEntry("affected", 1L).containsEntry("outcome", "requeued 1 notification(s)");
        assertThat((String) rows.get(3).get("outcome")).startsWith("refused:");
        assertThat(rows.get(4))
                .containsEntry("execution_id", abandoned)
                .containsEntry("outcome", "execution " + abandoned + " is ABANDONED: it will not be restarted");
        assertThat(rows.get(5))
                .containsEntry("execution_id", restarted)
                .containsEntry("outcome", "restart of execution " + restarted + " started");
        assertThat(serve.output())
                .contains("console: operator requeue CA-1: requeued 1 notification(s) (reason: address fixed,"
                        + " ticket 12)")
                .contains("console: operator abandon " + abandoned + ": execution " + abandoned
                        + " is ABANDONED: it will not be restarted (reason: obsolete)");

        // when: a viewer reads the audit page, and tries to act or to write to it
        String audit = viewer.get("/console/audit").body();
        int denied = viewer.post("/console/actions/executions/" + restarted + "/abandon", "", true)
                .statusCode();
        int written = viewer.post("/console/audit", "action=forged", true).statusCode();
        int writtenByOperator =
                operator.post("/console/audit", "action=forged", true).statusCode();

        // then: every row, newest first, read-only; nothing was added
        assertThat(audit)
                .contains("<h1>Audit trail</h1>")
                .contains("<td>operator</td><td>console</td><td>restart</td><td>execution " + restarted + "</td>")
                .contains("<td>requeue</td><td>CA-1</td><td>requeued 1 notification(s)</td><td>address fixed,"
                        + " ticket 12</td>")
                .contains("<time datetime=\"")
                .doesNotContain("/console/actions/");
        assertThat(audit.indexOf("<td>restart</td>")).isLessThan(audit.indexOf("<td>requeue</td>"));
        assertThat(denied).isEqualTo(403);
        // no handler takes a POST there (405, answered through /error, which may ask to sign in: 401)
        assertThat(written).isIn(401, 403, 405);
        assertThat(writtenByOperator).isIn(401, 403, 405);
        assertThat(shop.count("SELECT COUNT(*) FROM reconciler_audit")).isEqualTo(6);
    }

    /** A run that fails in the database (the shop refuses the order's notification); its id. */
    private long failedRun(String orderCode) {
        shop.processingOrder(orderCode, orderCode.toLowerCase() + "@example.com", "completed");
        String trigger = "refuse_" + orderCode.replace('-', '_');
        shop.jdbc()
                .execute("CREATE TRIGGER " + trigger + " BEFORE INSERT ON order_notifications FOR EACH ROW"
                        + " BEGIN IF NEW.order_code = '" + orderCode + "' THEN SIGNAL SQLSTATE '45000'"
                        + " SET MESSAGE_TEXT = 'injected'; END IF; END");
        CliRunner.Result run = node.cli("run", "--reconciler.chunk-size=1", "--reconciler.max-write-failures=0");
        assertThat(run.exit()).describedAs(run.describe()).isEqualTo(1);
        shop.jdbc().execute("DROP TRIGGER " + trigger);
        return shop.jdbc()
                .queryForObject(
                        "SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'FAILED'", Long.class);
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static int countOf(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
