package shop.reconciler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.reconciler.support.CommandLineShop;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ShopFixture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The jar's command line as an operator or a scheduler uses it: exit codes, output, database rows. */
class CommandLineIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();

    private CommandLineShop commandLine;
    private ShopFixture shop;

    @BeforeEach
    void freshShop() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
        commandLine = new CommandLineShop("cli", SMTP);
        shop = commandLine.shop;
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void runCompletesFinishedOrdersAndExitsZero() {
        // given
        shop.processingOrder("CLI-1", "one@example.com", "completed");

        // when
        CliRunner.Result result = cli("run");

        // then
        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains("COMPLETED");
        assertThat(shop.orderStatus("CLI-1")).isEqualTo("completed");
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }

    @Test
    void runExits75AndChangesNothingWhileTheLeaseIsHeldElsewhere() {
        // given: the schema exists and another node holds the lease for an hour
        assertThat(cli("status").exit()).isZero();
        shop.processingOrder("CLI-2", "two@example.com", "completed");
        shop.jdbc()
                .update(
                        "INSERT INTO shedlock (name, lock_until, locked_at, locked_by)"
                                + " VALUES ('orderCompletionJob', UTC_TIMESTAMP(3) + INTERVAL 1 HOUR, UTC_TIMESTAMP(3), 'node-b')");

        // when
        CliRunner.Result result = cli("run");

        // then
        assertThat(result.exit()).isEqualTo(75);
        assertThat(result.out()).contains("node-b");
        assertThat(shop.orderStatus("CLI-2")).isEqualTo("processing");
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION")).isZero();
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    @Test
    void statusJsonReportsExecutionsStepsLeaseNotificationsAndAnomalies() {
        // given
        shop.processingOrder("CLI-3", "three@example.com", "completed", "failed");
        shop.order("CLI-EMPTY", "empty@example.com", "processing");
        assertThat(cli("run").exit()).isZero();

        // when
        CliRunner.Result result = cli("status", "--json", "--limit", "5");

        // then
        assertThat(result.exit()).isZero();
        JsonNode status = JsonMapper.builder().build().readTree(result.out());
        JsonNode execution = status.get("executions").get(0);
        assertThat(execution.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(execution.get("steps"))
                .extracting(s -> s.get("name").asText())
                // the step and its two partitions (reconciler.partitions defaults to 2), then send
                .containsExactly("reconcile", "reconcile-partition:0", "reconcile-partition:1", "send");
        assertThat(execution.get("steps").get(0).get("read").asLong()).isEqualTo(2);
        assertThat(execution.get("steps").get(0).get("written").asLong()).isEqualTo(1);
        assertThat(status.get("lease").get("state").asText()).isEqualTo("free");
        assertThat(status.get("notifications").get("sent").asLong()).isEqualTo(1);
        assertThat(status.get("anomalies").asLong()).isEqualTo(1);
        assertThat(status.get("anomalyOrderCodes").get(0).asText()).isEqualTo("CLI-EMPTY");
    }

    @Test
    void checkPassesWhenDatabaseIndexesAndSmtpAreThere() {
        // given: the reconciler has run here once (its tables exist)
        assertThat(cli("status").exit()).isZero();

        // when
        CliRunner.Result result = cli("check");

        // then
        assertThat(result.exit()).describedAs(result.out()).isZero();
        assertThat(result.out().lines()).allMatch(line -> line.startsWith("PASS ") || line.startsWith("NOTE "));
        assertThat(result.out()).contains("index orders(order_status, id)").contains("mail: connected");
        // the index the operator's reads want on a big shop, optional: named with its statement
        assertThat(result.out())
                .contains("NOTE index download_tasks(order_id, status, updated_at): missing (optional)")
                .contains("CREATE INDEX idx_download_tasks_order_status_updated ON download_tasks"
                        + " (order_id, status, updated_at)");
    }

    @Test
    void checkOnAFreshShopReportsTheMissingSchemaAndCreatesNothing() {
        // when
        CliRunner.Result result = cli("check");

        // then
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.out())
                .contains("FAIL schema: no migration applied")
                .contains("FAIL table order_notifications");
        assertThat(shop.count("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                        + " AND table_name IN ('order_notifications', 'shedlock', 'BATCH_JOB_INSTANCE')"))
                .isZero();
    }

    @Test
    void checkSaysWhenTheDatabaseCannotBeReached() throws Exception {
        // given
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        // when
        CliRunner.Result result = cli(
                "check",
                "--spring.datasource.url=jdbc:mysql://127.0.0.1:" + closedPort + "/shop",
                "--spring.datasource.hikari.initialization-fail-timeout=1");

        // then
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.out()).startsWith("FAIL database:");
    }

    @Test
    void checkFailsAndShowsTheStatementWhenAnIndexIsMissing() {
        // given
        shop.jdbc().execute("DROP INDEX idx_orders_status_id ON orders");

        // when
        CliRunner.Result result = cli("check");

        // then
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.out())
                .contains("FAIL index orders(order_status, id)")
                .contains("CREATE INDEX idx_orders_status_id ON orders (order_status, id)");
    }

    @Test
    void badConfigurationStopsWithOneLineNamingTheKey() {
        // when
        CliRunner.Result result = cli("run", "--reconciler.chunk-size=0");

        // then
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()
                        .lines()
                        .filter(l -> l.startsWith("order-reconciler:"))
                        .toList())
                .singleElement()
                .asString()
                .contains("reconciler.chunk-size");
    }

    @Test
    void valueThatIsNotANumberOrBreaksARuleStopsAnyCommandWithExit2() {
        // when
        CliRunner.Result notANumber = cli("run", "--reconciler.chunk-size=abc");
        CliRunner.Result check = cli("check", "--reconciler.mail.from=nobody", "--reconciler.partitions=17");

        // then
        assertThat(notANumber.exit()).describedAs(notANumber.describe()).isEqualTo(2);
        assertThat(notANumber.err().lines().filter(l -> l.startsWith("order-reconciler:")))
                .containsExactly(
                        "order-reconciler: configuration error: reconciler.chunk-size: cannot be read as int, was 'abc'");
        assertThat(check.exit()).describedAs(check.describe()).isEqualTo(2);
        assertThat(check.out()).describedAs("not a database failure").doesNotContain("FAIL");
        assertThat(check.err().lines().filter(l -> l.startsWith("order-reconciler:")))
                .singleElement()
                .asString()
                .contains("reconciler.mail.from: is not one email address, was 'nobody'")
                .contains("reconciler.partitions: must be less than or equal to 16, was '17'");
    }

    @Test
    void withoutSmtpServerOrdersCompleteAndNotificationsWaitForTheNextRun() throws Exception {
        // given
        shop.processingOrder("CLI-4", "four@example.com", "completed");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        // when the SMTP server is down
        CliRunner.Result down = cli("run", "--spring.mail.port=" + closedPort);

        // then
        assertThat(down.exit()).isZero();
        assertThat(shop.orderStatus("CLI-4")).isEqualTo("completed");
        // no attempt spent on a server that never answered (0.7.0; it was 1)
        assertThat(shop.notification("CLI-4")).containsEntry("status", "queued").containsEntry("attempts", 0);
        assertThat((String) shop.notification("CLI-4").get("last_error")).isNotBlank();

        // when it is back
        CliRunner.Result back = cli("run");

        // then
        assertThat(back.exit()).isZero();
        assertThat(shop.notification("CLI-4")).containsEntry("status", "sent").containsEntry("attempts", 1);
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }

    @Test
    void restartLastFailedFinishesTheSameInstance() {
        // given: a run that fails in the database
        shop.processingOrder("CLI-5", "five@example.com", "completed");
        shop.processingOrder("CLI-6", "six@example.com", "completed");
        assertThat(cli("status").exit()).isZero();
        CliRunner.Result failed = shop.refusingNotificationOf(
                "CLI-6", () -> cli("run", "--reconciler.chunk-size=1", "--reconciler.max-write-failures=0"));
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(failed.out().lines().toList())
                .singleElement()
                .asString()
                .contains("FAILED")
                .contains("injected");

        // when
        CliRunner.Result restarted = cli("restart", "--last-failed", "--reconciler.chunk-size=1");

        // then
        assertThat(restarted.exit()).describedAs(restarted.out()).isZero();
        assertThat(shop.orderStatus("CLI-6")).isEqualTo("completed");
        assertThat(shop.count("SELECT COUNT(DISTINCT JOB_INSTANCE_ID) FROM BATCH_JOB_EXECUTION"))
                .isEqualTo(1);
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION")).isEqualTo(2);
        assertThat(SMTP.getReceivedMessages()).hasSize(2);
    }

    @Test
    void abandonedExecutionIsNeverRestarted() {
        // given: a failed run
        shop.processingOrder("CLI-7", "seven@example.com", "completed");
        assertThat(cli("status").exit()).isZero();
        shop.jdbc().execute("""
                CREATE TRIGGER fail_cli_7 BEFORE INSERT ON order_notifications FOR EACH ROW
                BEGIN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected'; END""");
        assertThat(cli("run", "--reconciler.max-write-failures=0").exit()).isEqualTo(1);
        shop.jdbc().execute("DROP TRIGGER fail_cli_7");
        long failedId = shop.jdbc().queryForObject("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION", Long.class);

        // when
        CliRunner.Result abandon = cli("abandon", String.valueOf(failedId));

        // then
        assertThat(abandon.exit()).describedAs(abandon.out()).isZero();
        assertThat(shop.jdbc()
                        .queryForObject(
                                "SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?",
                                String.class,
                                failedId))
                .isEqualTo("ABANDONED");
        assertThat(cli("restart", String.valueOf(failedId)).exit()).isEqualTo(1);
        CliRunner.Result lastFailed = cli("restart", "--last-failed");
        assertThat(lastFailed.exit()).isZero();
        assertThat(lastFailed.out()).contains("nothing to restart");
        assertThat(cli("stop", String.valueOf(failedId)).exit()).isEqualTo(1);
        assertThat(shop.orderStatus("CLI-7")).isEqualTo("processing");
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        for (String[] args : List.of(
                new String[] {"restart", "not-a-number"},
                new String[] {"restart", "999999"},
                new String[] {"status", "--limit", "0"},
                new String[] {"stop"},
                new String[] {"abandon", "x"},
                new String[] {"stop", "424242"})) {
            CliRunner.Result result = cli(args);
            assertThat(result.exit())
                    .describedAs(String.join(" ", args) + ": " + result.err())
                    .isEqualTo(2);
            assertThat(result.err()
                            .lines()
                            .filter(l -> l.startsWith("order-reconciler:"))
                            .count())
                    .describedAs(String.join(" ", args))
                    .isEqualTo(1);
        }
    }

    private CliRunner.Result cli(String... args) {
        return commandLine.cli(args);
    }
}
