package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.assertDelivered;

import com.icegreen.greenmail.util.GreenMail;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.PostfixRelay;

/**
 * A stock relay: Debian's Postfix offering STARTTLS with a self-signed certificate, relaying to a
 * GreenMail that counts what arrived. Without {@code reconciler.mail.require-tls} every email goes
 * out (opportunistic TLS); with it nothing does, no attempt is spent and {@code check} names the
 * certificate; with it and an SSL bundle that trusts the certificate, every email goes out.
 */
class SelfSignedRelayIntegrationTest {

    private static final GreenMail NEXT_HOP = MailServer.start();
    private static PostfixRelay relay;

    private ShopUnderTest reconciler;

    @BeforeAll
    static void startRelay() {
        relay = PostfixRelay.start(NEXT_HOP.getSmtp().getPort());
    }

    @AfterAll
    static void stopServers() {
        if (relay != null) {
            relay.close();
        }
        NEXT_HOP.stop();
    }

    @BeforeEach
    void freshShop() throws Exception {
        NEXT_HOP.purgeEmailFromAllMailboxes();
        // one connection, so that the relay's session summary shows it carried every message
        reconciler = new ShopUnderTest("relaytls").smtpPort(relay.port()).with("reconciler.mail.connections", 1);
    }

    @Test
    void withoutRequireTlsEveryEmailGoesThroughARelayWithASelfSignedCertificate() {
        // given
        List<String> codes = List.of("TLS-1", "TLS-2", "TLS-3");
        codes.forEach(code -> reconciler.shop.processingOrder(code, code.toLowerCase() + "@example.com", "completed"));

        // when
        CliRunner.Result run = reconciler.cli("run");
        CliRunner.Result check = reconciler.cli("check");

        // then: sent, encrypted without authentication, and all arrived behind the relay
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(run.out()).doesNotContain("COMPLETED_WITH_PROBLEMS");
        assertThat(reconciler.notifications().values())
                .describedAs(reconciler.notificationsDump())
                .allSatisfy(n -> assertThat(n).containsEntry("status", "sent").containsEntry("attempts", 1));
        assertThat(NEXT_HOP.waitForIncomingEmail(30_000, codes.size()))
                .describedAs(relay.log())
                .isTrue();
        codes.forEach(code -> assertDelivered(NEXT_HOP, code, 1));
        assertThat(relay.log()).describedAs("the relay's session summary").contains("starttls=1 mail=3");
        assertThat(check.out())
                .describedAs(check.describe())
                .containsPattern("PASS mail: connected to smtp://127.0.0.1:\\d+, STARTTLS, certificate not verified");
    }

    @Test
    void overSeveralConnectionsEachDoesStartTlsWithTheSelfSignedCertificateAndEveryEmailGoesThrough() {
        // given: three connections at once
        List<String> codes = List.of("TLSM-1", "TLSM-2", "TLSM-3", "TLSM-4", "TLSM-5", "TLSM-6");
        codes.forEach(code -> reconciler.shop.processingOrder(code, code.toLowerCase() + "@example.com", "completed"));
        reconciler.with("reconciler.mail.connections", 3);

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then: sent once each, and every session that carried mail was encrypted
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(reconciler.notifications().values())
                .describedAs(reconciler.notificationsDump())
                .hasSize(codes.size())
                .allSatisfy(n -> assertThat(n).containsEntry("status", "sent").containsEntry("attempts", 1));
        assertThat(NEXT_HOP.waitForIncomingEmail(30_000, codes.size()))
                .describedAs(relay.log())
                .isTrue();
        codes.forEach(code -> assertDelivered(NEXT_HOP, code, 1));
        List<String> sessions = relay.log()
                .lines()
                .filter(line -> line.contains("disconnect from") && line.contains(" mail="))
                .toList();
        assertThat(sessions).describedAs(relay.log()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(sessions).allSatisfy(line -> assertThat(line).contains("starttls=1"));
    }

    @Test
    void withRequireTlsNothingIsSentNoAttemptIsSpentAndCheckNamesTheCertificateUntilABundleTrustsIt() throws Exception {
        // given
        reconciler.with("reconciler.mail.require-tls", true);
        reconciler.shop.processingOrder("REQ-1", "req1@example.com", "completed");
        reconciler.shop.processingOrder("REQ-2", "req2@example.com", "completed", "failed");

        // when
        CliRunner.Result refused = reconciler.cli("run");
        CliRunner.Result check = reconciler.cli("check");

        // then: orders completed, emails queued with the reason, nothing charged, nothing arrived
        assertThat(refused.exit()).describedAs(refused.describe()).isZero();
        assertThat(refused.out()).contains("COMPLETED_WITH_PROBLEMS").contains("emails left queued 2");
        assertThat(reconciler.completedOrders()).isEqualTo(2);
        Map<String, Map<String, Object>> queued = reconciler.notifications();
        assertThat(queued.values()).describedAs(reconciler.notificationsDump()).allSatisfy(n -> {
            assertThat(n).containsEntry("status", "queued").containsEntry("attempts", 0);
            assertThat((String) n.get("last_error")).contains("certificate");
        });
        Map<String, Object> execution = reconciler
                .shop
                .jdbc()
                .queryForMap("SELECT e.EXIT_CODE, e.EXIT_MESSAGE, s.WRITE_COUNT FROM BATCH_JOB_EXECUTION e"
                        + " JOIN BATCH_STEP_EXECUTION s ON s.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID AND s.STEP_NAME = 'send'"
                        + " ORDER BY e.JOB_EXECUTION_ID DESC LIMIT 1");
        assertThat(execution)
                .containsEntry("EXIT_CODE", "COMPLETED_WITH_PROBLEMS")
                .containsEntry("WRITE_COUNT", 0L);
        assertThat(check.exit()).describedAs(check.describe()).isEqualTo(1);
        assertThat(check.out())
                .describedAs(check.describe())
                .containsPattern("FAIL mail: smtp://127.0.0.1:\\d+: SMTP server's TLS certificate not trusted")
                .contains("spring.mail.ssl.bundle");
        Thread.sleep(1_000);
        assertThat(NEXT_HOP.getReceivedMessages()).isEmpty();

        // when: an SSL bundle that trusts the relay's certificate
        reconciler
                .with("spring.ssl.bundle.pem.relay.truststore.certificate", "file:" + relay.certificate())
                .with("spring.mail.ssl.bundle", "relay");
        CliRunner.Result trusted = reconciler.cli("run");
        CliRunner.Result checkTrusted = reconciler.cli("check");

        // then
        assertThat(trusted.exit()).describedAs(trusted.describe()).isZero();
        assertThat(reconciler.notifications().values())
                .describedAs(reconciler.notificationsDump())
                .allSatisfy(n -> assertThat(n).containsEntry("status", "sent").containsEntry("attempts", 1));
        assertThat(NEXT_HOP.waitForIncomingEmail(30_000, 2))
                .describedAs(relay.log())
                .isTrue();
        assertDelivered(NEXT_HOP, "REQ-1", 1);
        assertDelivered(NEXT_HOP, "REQ-2", 1);
        assertThat(checkTrusted.out())
                .describedAs(checkTrusted.describe())
                .containsPattern("PASS mail: connected to smtp://127.0.0.1:\\d+, STARTTLS, certificate verified");
    }
}
