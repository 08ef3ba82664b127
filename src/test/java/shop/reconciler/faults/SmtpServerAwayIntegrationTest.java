package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.assertDelivered;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;

/**
 * No email fails because the server was away: an outage longer than {@code max-attempts} runs, or
 * a wrong password, leaves every notification {@code queued} with no attempt spent and the reason
 * as its last error; the job repository says the run completed with problems and its send step
 * wrote nothing; once the server is back, one run sends each email exactly once.
 */
class SmtpServerAwayIntegrationTest {

    private static final List<String> CODES = List.of("AWAY-1", "AWAY-2", "AWAY-3");

    @Test
    void anOutageLongerThanMaxAttemptsRunsLeavesEveryEmailQueuedAndTheFirstRunAfterItSendsEachOnce() throws Exception {
        // given: three finished orders, at most two attempts each, and nothing on the SMTP port
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        ShopUnderTest reconciler = new ShopUnderTest("smtpaway")
                .smtpPort(port)
                .with("reconciler.mail.max-attempts", 2)
                .with("spring.mail.properties.mail.smtp.connectiontimeout", 2_000);
        CODES.forEach(code -> reconciler.shop.processingOrder(code, code.toLowerCase() + "@example.com", "completed"));

        // when: four runs while the port refuses connections
        for (int run = 1; run <= 4; run++) {
            CliRunner.Result result = reconciler.cli("run");

            // then: each run exits 0 and says it left emails unsent; nothing is charged
            assertThat(result.exit())
                    .describedAs("run %d: %s", run, result.describe())
                    .isZero();
            assertThat(result.out())
                    .describedAs("run %d", run)
                    .contains("COMPLETED_WITH_PROBLEMS")
                    .contains("emails left queued 3");
            assertThat(reconciler.notifications().values())
                    .describedAs("run %d: %s", run, reconciler.notificationsDump())
                    .allSatisfy(n -> {
                        assertThat(n).containsEntry("status", "queued").containsEntry("attempts", 0);
                        assertThat((String) n.get("last_error")).contains("SMTP server unreachable");
                    });
            Map<String, Object> execution = latestExecution(reconciler);
            assertThat(execution)
                    .describedAs("run %d", run)
                    .containsEntry("STATUS", "COMPLETED")
                    .containsEntry("EXIT_CODE", "COMPLETED_WITH_PROBLEMS")
                    .containsEntry("WRITE_COUNT", 0L);
            assertThat((String) execution.get("EXIT_MESSAGE")).contains("emails left queued 3");
        }
        assertThat(reconciler.completedOrders()).isEqualTo(3);
        CliRunner.Result status = reconciler.cli("status");
        assertThat(status.out())
                .describedAs(status.describe())
                .contains("COMPLETED_WITH_PROBLEMS")
                .contains("sent 0, refused 0, failed 0, retry later 0, not connected 3, uncertain 0, left queued 3");

        // when: the server is back on the same port
        GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try {
            CliRunner.Result back = reconciler.cli("run");

            // then: every email sent exactly once, on its first attempt; a clean run
            assertThat(back.exit()).describedAs(back.describe()).isZero();
            assertThat(back.out()).doesNotContain("COMPLETED_WITH_PROBLEMS");
            assertThat(reconciler.notifications().values())
                    .describedAs(reconciler.notificationsDump())
                    .allSatisfy(
                            n -> assertThat(n).containsEntry("status", "sent").containsEntry("attempts", 1));
            CODES.forEach(code -> assertDelivered(smtp, code, 1));
            assertThat(smtp.getReceivedMessages()).hasSize(3);
            assertThat(latestExecution(reconciler))
                    .containsEntry("EXIT_CODE", "COMPLETED")
                    .containsEntry("WRITE_COUNT", 3L);
        } finally {
            smtp.stop();
        }
    }

    @Test
    void aWrongPasswordLeavesEveryEmailQueuedWithoutSpendingAnAttemptAndTheRightOneSendsThem() {
        // given: a server that knows one account, and the reconciler with the wrong password
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        smtp.setUser("shop@example.com", "shop", "right-password");
        try {
            ShopUnderTest reconciler = new ShopUnderTest("smtpauth")
                    .smtpPort(smtp.getSmtp().getPort())
                    .with("reconciler.mail.max-attempts", 1)
                    .with("spring.mail.username", "shop")
                    .with("spring.mail.password", "wrong-password");
            CODES.forEach(
                    code -> reconciler.shop.processingOrder(code, code.toLowerCase() + "@example.com", "completed"));

            // when: two runs (more than max-attempts) and a check
            CliRunner.Result first = reconciler.cli("run");
            CliRunner.Result second = reconciler.cli("run");
            CliRunner.Result check = reconciler.cli("check");

            // then
            assertThat(first.exit()).describedAs(first.describe()).isZero();
            assertThat(second.exit()).describedAs(second.describe()).isZero();
            assertThat(second.out()).contains("COMPLETED_WITH_PROBLEMS");
            assertThat(reconciler.notifications().values())
                    .describedAs(reconciler.notificationsDump())
                    .allSatisfy(n -> {
                        assertThat(n).containsEntry("status", "queued").containsEntry("attempts", 0);
                        assertThat((String) n.get("last_error")).contains("user name or password");
                    });
            assertThat(smtp.getReceivedMessages()).isEmpty();
            assertThat(check.exit()).describedAs(check.describe()).isEqualTo(1);
            assertThat(check.out())
                    .contains("FAIL mail: ")
                    .contains("SPRING_MAIL_PASSWORD")
                    .doesNotContain("wrong-password");

            // when: the right password
            CliRunner.Result fixed = reconciler.cli("run", "--spring.mail.password=right-password");

            // then
            assertThat(fixed.exit()).describedAs(fixed.describe()).isZero();
            assertThat(reconciler.notifications().values())
                    .describedAs(reconciler.notificationsDump())
                    .allSatisfy(
                            n -> assertThat(n).containsEntry("status", "sent").containsEntry("attempts", 1));
            CODES.forEach(code -> assertDelivered(smtp, code, 1));
        } finally {
            smtp.stop();
        }
    }

    private static Map<String, Object> latestExecution(ShopUnderTest reconciler) {
        return reconciler
                .shop
                .jdbc()
                .queryForMap("SELECT e.STATUS, e.EXIT_CODE, e.EXIT_MESSAGE, s.WRITE_COUNT FROM BATCH_JOB_EXECUTION e"
                        + " JOIN BATCH_STEP_EXECUTION s ON s.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID"
                        + " AND s.STEP_NAME = 'send' ORDER BY e.JOB_EXECUTION_ID DESC LIMIT 1");
    }
}
