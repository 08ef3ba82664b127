package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.deliveriesBySubject;
import static shop.reconciler.faults.ShopUnderTest.stableMessageId;
import static shop.reconciler.faults.ShopUnderTest.subjectOf;

import com.icegreen.greenmail.util.GreenMail;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.SmtpFaultProxy;

/**
 * A node is killed with SIGKILL in the send step while a message is in flight (the SMTP server,
 * slowed to 300 ms a message, has its end-of-DATA but has not answered yet), holding claims on
 * the whole send chunk. Once the dead node's lease has lapsed, a restart releases those claims at
 * once (without waiting for {@code reconciler.mail.claim-timeout}, 10 minutes here) and sends the
 * rest: every email is sent; the one in flight at the kill may arrive twice, with the same
 * Message-ID, and nothing else may; an attempt is counted only for a delivery really tried.
 */
class SigkillDuringSendIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final int ORDERS = 15;

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void sigkillWithAMessageInFlightThenRestartSendsEveryEmailAndOnlyThatOneMayRepeat() throws Exception {
        // given: fifteen finished orders and a slow SMTP server
        SmtpFaultProxy smtp = SmtpFaultProxy.in(SMTP).delayEachMessage(Duration.ofMillis(300));
        ShopUnderTest reconciler = new ShopUnderTest("killsend")
                .smtpPort(smtp.port())
                .with("reconciler.chunk-size", 5)
                // one connection: exactly one message in flight (several:
                // SigkillDuringMultiConnectionSendIntegrationTest)
                .with("reconciler.mail.connections", 1)
                .with("reconciler.mail.claim-timeout", "10m")
                .with("reconciler.lock.at-most-for", "30s");
        assertThat(reconciler.cli("status").exit()).isZero();
        for (int i = 1; i <= ORDERS; i++) {
            reconciler.shop.processingOrder(String.format("K-%02d", i), "k" + i + "@example.com", "completed");
        }

        // when: the node is killed while the server holds its 4th message
        Set<String> killedInFlight;
        try (ReconcilerProcess node = reconciler.startProcess("run")) {
            ShopUnderTest.await(
                    Duration.ofSeconds(90),
                    "the 4th message in flight",
                    () -> smtp.dataEnds() >= 4 && smtp.inFlight() > 0 || !node.isAlive());
            killedInFlight = smtp.inFlightMessageIds();
            assertThat(node.isAlive()).describedAs(node.output()).isTrue();
            node.kill();
        }
        ShopUnderTest.await(
                Duration.ofSeconds(10), "the proxy done with the orphaned message", () -> smtp.inFlight() == 0);

        // then: the reconcile step had finished; the send step was cut short; the message in
        // flight is still claimed (its sender died before recording it)
        assertThat(killedInFlight).hasSize(1);
        String inFlightId = killedInFlight.iterator().next();
        String inFlightCode = inFlightId.substring("<order-".length(), inFlightId.indexOf('@'));
        assertThat(reconciler.completedOrders()).isEqualTo(ORDERS);
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STARTED'"))
                .isEqualTo(1);
        Map<String, Object> orphan = reconciler.shop.notification(inFlightCode);
        assertThat(orphan)
                .describedAs(reconciler.notificationsDump())
                .containsEntry("status", "queued")
                .containsEntry("attempts", 1);
        assertThat(orphan.get("claimed_until")).isNotNull();
        int sentBeforeKill = reconciler.shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'");
        assertThat(sentBeforeKill).isBetween(3, ORDERS - 1);
        // the dead sender's claims cover the whole chunk; only what it tried was charged an attempt
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM order_notifications WHERE claimed_by IS NOT NULL"))
                .describedAs(reconciler.notificationsDump())
                .isGreaterThan(1);
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'queued'"
                        + " AND attempts = 0 AND delivery_started_at IS NULL"))
                .describedAs(reconciler.notificationsDump())
                .isEqualTo(ORDERS - sentBeforeKill - 1);

        // when: restarted once the dead node's lease (30 s) has expired; its claims (10 min) have not
        smtp.clearFaults();
        reconciler.awaitLeaseExpired(Duration.ofSeconds(45));
        CliRunner.Result restart = reconciler.restartLastFailed(Duration.ofSeconds(10));

        // then: every notification sent; every order's email received once, only the one in
        // flight at the kill possibly twice, with the same Message-ID
        assertThat(restart.out()).contains("recovering");
        assertThat(reconciler.shop.count("SELECT COUNT(DISTINCT JOB_INSTANCE_ID) FROM BATCH_JOB_EXECUTION"))
                .isEqualTo(1);
        reconciler.assertEveryNotificationSent(ORDERS);
        assertThat(reconciler.shop.notification(inFlightCode))
                .containsEntry("attempts", 2)
                .containsEntry("uncertain_deliveries", 1);
        assertThat(reconciler.notifications().values())
                .filteredOn(n -> !inFlightCode.equals(n.get("order_code")))
                .allSatisfy(n -> assertThat(n).containsEntry("attempts", 1).containsEntry("uncertain_deliveries", 0));
        Map<String, Long> bySubject = deliveriesBySubject(SMTP);
        for (int i = 1; i <= ORDERS; i++) {
            String code = String.format("K-%02d", i);
            long copies = bySubject.getOrDefault(subjectOf(code), 0L);
            if (code.equals(inFlightCode)) {
                assertThat(copies)
                        .describedAs("copies of %s, in flight at the kill", code)
                        .isBetween(1L, 2L);
            } else {
                assertThat(copies).describedAs("copies of %s", code).isEqualTo(1L);
            }
        }
        Map<String, Set<String>> messageIdsBySubject = Arrays.stream(SMTP.getReceivedMessages())
                .collect(Collectors.groupingBy(
                        ShopUnderTest::subject, Collectors.mapping(ShopUnderTest::messageId, Collectors.toSet())));
        messageIdsBySubject.forEach(
                (subject, ids) -> assertThat(ids).describedAs(subject).hasSize(1));
        assertThat(messageIdsBySubject.get(subjectOf(inFlightCode))).containsExactly(stableMessageId(inFlightCode));
        assertThat(SMTP.getReceivedMessages().length).isBetween(ORDERS, ORDERS + 1);
        smtp.close();
    }
}
