package shop.reconciler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.reconciler.support.CommandLineShop;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.ShopFixture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit trail of operator actions taken at the command line ({@code requeue}, {@code stop},
 * {@code abandon}, {@code restart}), as the jar runs them, against a real MySQL-protocol server:
 * each is one row with the OS user, what it named, the database's UTC time, the line the operator
 * saw and their reason, listed by {@code audit}, and logged once.
 */
class AuditTrailIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String USER = System.getProperty("user.name");

    private CommandLineShop commandLine;
    private ShopFixture shop;

    @BeforeEach
    void freshShop() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
        commandLine = new CommandLineShop("audit", SMTP).withReconcilerSchema();
        shop = commandLine.shop;
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void eachCommandLineActionIsOneRowWithWhoWhatWhenOutcomeAndReason() throws Exception {
        // given: AU-1 sent, AU-2 failed (no address), and a run that fails in the database
        shop.processingOrder("AU-1", "au1@example.com", "completed");
        shop.processingOrder("AU-2", "not an address", "completed");
        assertThat(cli("run").exit()).isZero();
        long failed = failedRun("AU-3");
        Instant before = Instant.now().minusSeconds(5);

        // when: requeue by code (after the shop corrected the address), by filter (nothing left),
        // stop of an execution that is not running, restart of the failed one, and abandon of a
        // second failed one
        shop.jdbc().update("UPDATE orders SET user_email = 'au2@example.com' WHERE order_code = 'AU-2'");
        CliRunner.Result requeue = cli("requeue", "AU-2", "--reason", "address corrected by support, ticket #4711");
        CliRunner.Result bulk = cli("requeue", "--failed", "--since", "1h");
        CliRunner.Result dry = cli("requeue", "--failed", "--dry-run");
        CliRunner.Result stop = cli("stop", String.valueOf(failed), "--reason", "runaway run");
        CliRunner.Result restart = cli("restart", String.valueOf(failed), "--reason", "trigger fixed: déjà vu ✓");
        long second = failedRun("AU-4");
        CliRunner.Result abandon = cli("abandon", String.valueOf(second));

        // then: the commands did what they say
        assertThat(requeue.exit()).describedAs(requeue.describe()).isZero();
        assertThat(bulk.exit()).isEqualTo(1);
        assertThat(stop.exit()).describedAs(stop.describe()).isEqualTo(1);
        assertThat(restart.exit()).describedAs(restart.describe()).isZero();
        assertThat(abandon.exit()).describedAs(abandon.describe()).isZero();
        assertThat(dry.exit()).isEqualTo(1);

        // and each action is one row, newest first; the dry run, which changes nothing, is none
        List<Map<String, Object>> rows = shop.jdbc()
                .queryForList("SELECT actor, channel, action, target, execution_id, affected, outcome, reason,"
                        + " acted_at FROM reconciler_audit ORDER BY id");
        assertThat(rows)
                .extracting(r -> r.get("action") + " " + r.get("target"))
                .containsExactly(
                        "requeue AU-2",
                        "requeue --failed --since 1h",
                        "stop execution " + failed,
                        "restart execution " + failed,
                        "abandon execution " + second);
        for (Map<String, Object> row : rows) {
            assertThat(row)
                    .describedAs(row.toString())
                    .containsEntry("actor", USER)
                    .containsEntry("channel", "cli");
            Instant at = ((java.time.LocalDateTime) row.get("acted_at")).toInstant(java.time.ZoneOffset.UTC);
            assertThat(at)
                    .describedAs("UTC on the database's clock")
                    .isBetween(before, Instant.now().plusSeconds(5));
        }
        assertThat(rows.get(0))
                .containsEntry("affected", 1L)
                .containsEntry("outcome", "requeued 1 notification(s)")
                .containsEntry("reason", "address corrected by support, ticket #4711");
        assertThat(rows.get(1)).containsEntry("affected", 0L).containsEntry("outcome", "requeued 0 notification(s)");
        assertThat(rows.get(1).get("reason")).isNull();
        assertThat(rows.get(2)).containsEntry("execution_id", failed).containsEntry("reason", "runaway run");
        assertThat((String) rows.get(2).get("outcome")).startsWith("refused:");
        assertThat(rows.get(3))
                .containsEntry("execution_id", failed)
                .containsEntry("outcome", "restart of execution " + failed + " started")
                .containsEntry("reason", "trigger fixed: déjà vu ✓");
        assertThat(rows.get(4))
                .containsEntry("execution_id", second)
                .containsEntry("outcome", "execution " + second + " is ABANDONED: it will not be restarted");

        // when: the audit command
        CliRunner.Result text = cli("audit");
        CliRunner.Result limited = cli("audit", "--limit", "2", "--json");

        // then: newest first, in text and JSON
        assertThat(text.exit()).isZero();
        assertThat(text.out().lines().toList())
                .hasSize(5)
                .first()
                .asString()
                .contains(" cli " + USER + " abandon execution " + second + ": execution " + second + " is ABANDONED");
        assertThat(text.out()).contains("requeue AU-2: requeued 1 notification(s) (reason: address corrected");
        assertThat(limited.exit()).isZero();
        JsonNode json = JSON.readTree(limited.out());
        assertThat(json).hasSize(2);
        assertThat(json.get(1).get("action").asText()).isEqualTo("restart");
        assertThat(json.get(1).get("actor").asText()).isEqualTo(USER);
        assertThat(json.get(1).get("executionId").asLong()).isEqualTo(failed);
        assertThat(json.get(1).get("reason").asText()).isEqualTo("trigger fixed: déjà vu ✓");
        assertThat(json.get(1).get("actedAt").asText()).endsWith("Z");
    }

    @Test
    void aCommandLineActionIsLoggedOnceWithTheOsUserAndAReasonTooLongIsAUsageError() throws Exception {
        // given
        shop.processingOrder("AL-1", "not an address", "completed");
        assertThat(cli("run").exit()).isZero();
        shop.jdbc().update("UPDATE orders SET user_email = 'al1@example.com'");

        // when: a reason longer than the column is refused before anything starts
        CliRunner.Result tooLong = cli("requeue", "AL-1", "--reason", "x".repeat(1001));

        // then
        assertThat(tooLong.exit()).isEqualTo(2);
        assertThat(tooLong.err()).contains("--reason: a reason is at most 1000 characters");
        assertThat(shop.notification("AL-1")).containsEntry("status", "failed");
        assertThat(shop.count("SELECT COUNT(*) FROM reconciler_audit")).isZero();

        // when: the jar in a process of its own, whose log is what an operator's terminal shows
        List<String> args = new ArrayList<>(List.of("requeue", "AL-1", "--reason", "customer asked"));
        args.addAll(commandLine.springArgs());
        try (ReconcilerProcess process = ReconcilerProcess.start(args)) {
            assertThat(process.waitFor(Duration.ofMinutes(2).toSeconds())).isZero();

            // then: one log line, the OS user, the action, what it named, the outcome and reason
            String line = "cli: " + USER + " requeue AL-1: requeued 1 notification(s) (reason: customer asked)";
            assertThat(process.output()).contains(line);
            assertThat(process.output().split(java.util.regex.Pattern.quote(line), -1))
                    .hasSize(2);
        }
        assertThat(shop.notification("AL-1")).containsEntry("status", "queued");
        assertThat(shop.count("SELECT COUNT(*) FROM reconciler_audit WHERE reason = 'customer asked'"))
                .isEqualTo(1);
    }

    /** A run that fails in the database (the shop refuses the order's notification); its id. */
    private long failedRun(String orderCode) {
        shop.processingOrder(orderCode, orderCode.toLowerCase() + "@example.com", "completed");
        CliRunner.Result run = shop.refusingNotificationOf(
                orderCode, () -> cli("run", "--reconciler.chunk-size=1", "--reconciler.max-write-failures=0"));
        assertThat(run.exit()).describedAs(run.describe()).isEqualTo(1);
        return shop.jdbc()
                .queryForObject(
                        "SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'FAILED'", Long.class);
    }

    private CliRunner.Result cli(String... args) {
        return commandLine.cli(args);
    }
}
