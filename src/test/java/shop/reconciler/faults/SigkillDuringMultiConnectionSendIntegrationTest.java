package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.deliveriesBySubject;
import static shop.reconciler.faults.ShopUnderTest.subjectOf;

import com.icegreen.greenmail.util.GreenMail;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.SmtpFaultProxy;

/**
 * A node sending over three SMTP connections at once ({@code reconciler.mail.connections}) is
 * killed with SIGKILL while the server holds several messages (slowed to 400 ms a message, it has
 * their end of data and has not answered). The server then takes them: each connection may leave
 * one accepted message unrecorded, never more, and each such row is marked in flight, so the
 * restart counts it as uncertain, sends it at most once more, and sends everything else once.
 */
class SigkillDuringMultiConnectionSendIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final int ORDERS = 24;
    private static final int CONNECTIONS = 3;

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void sigkillLeavesAtMostOneUnrecordedMessagePerConnectionAndTheRestartSendsEachAtMostTwice() throws Exception {
        // given: finished orders, a slow SMTP server, three connections
        SmtpFaultProxy smtp = SmtpFaultProxy.in(SMTP).delayEachMessage(Duration.ofMillis(400));
        ShopUnderTest reconciler = new ShopUnderTest("killmulti")
                .smtpPort(smtp.port())
                .with("reconciler.mail.connections", CONNECTIONS)
                .with("reconciler.mail.claim-timeout", "10m")
                .with("reconciler.lock.at-most-for", "30s");
        assertThat(reconciler.cli("status").exit()).isZero();
        for (int i = 1; i <= ORDERS; i++) {
            reconciler.shop.processingOrder(String.format("M-%02d", i), "m" + i + "@example.com", "completed");
        }

        // when: killed once the connections have handed over several messages and hold more than one
        try (ReconcilerProcess node = reconciler.startProcess("run")) {
            ShopUnderTest.await(
                    Duration.ofSeconds(90),
                    "several messages in flight on several connections",
                    () -> smtp.dataEnds() >= 2 * CONNECTIONS && smtp.inFlight() >= 2 || !node.isAlive());
            assertThat(node.isAlive()).describedAs(node.output()).isTrue();
            node.kill();
        }
        ShopUnderTest.await(
                Duration.ofSeconds(10), "the proxy done with the orphaned messages", () -> smtp.inFlight() == 0);

        // then: the server has every message it took; at most one per connection is not recorded
        // as sent, and each of those is marked in flight
        assertThat(smtp.connections()).isGreaterThanOrEqualTo(2);
        Map<String, Long> received = deliveriesBySubject(SMTP);
        Map<String, Map<String, Object>> rows = reconciler.notifications();
        Set<String> receivedNotSent = rows.values().stream()
                .filter(row -> received.containsKey(subjectOf((String) row.get("order_code"))))
                .filter(row -> !"sent".equals(row.get("status")))
                .map(row -> (String) row.get("order_code"))
                .collect(Collectors.toSet());
        int sentRows = reconciler.shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'");
        assertThat(SMTP.getReceivedMessages().length - sentRows)
                .describedAs(
                        "accepted by the server, not recorded: %s%n%s", receivedNotSent, reconciler.notificationsDump())
                .isBetween(0, CONNECTIONS);
        assertThat(receivedNotSent).hasSizeBetween(1, CONNECTIONS);
        for (String code : receivedNotSent) {
            assertThat(reconciler.shop.notification(code))
                    .describedAs(reconciler.notificationsDump())
                    .containsEntry("status", "queued")
                    .containsEntry("attempts", 1);
            assertThat(reconciler.shop.notification(code).get("delivery_started_at"))
                    .describedAs("%s is marked in flight", code)
                    .isNotNull();
        }
        assertThat(reconciler.shop.count(
                        "SELECT COUNT(*) FROM order_notifications WHERE delivery_started_at IS NOT NULL"))
                .describedAs(reconciler.notificationsDump())
                .isBetween(receivedNotSent.size(), CONNECTIONS);
        // every row recorded as sent was received
        rows.values().stream()
                .filter(row -> "sent".equals(row.get("status")))
                .forEach(row -> assertThat(received).containsKey(subjectOf((String) row.get("order_code"))));

        // when: restarted once the dead node's lease has expired
        smtp.clearFaults();
        reconciler.awaitLeaseExpired(Duration.ofSeconds(45));
        reconciler.restartLastFailed(Duration.ofSeconds(10));

        // then: every notification sent; the unrecorded ones counted uncertain and received at most
        // twice, every other one exactly once
        reconciler.assertEveryNotificationSent(ORDERS);
        Map<String, Long> after = deliveriesBySubject(SMTP);
        for (int i = 1; i <= ORDERS; i++) {
            String code = String.format("M-%02d", i);
            long copies = after.getOrDefault(subjectOf(code), 0L);
            if (receivedNotSent.contains(code)) {
                assertThat(reconciler.shop.notification(code)).containsEntry("uncertain_deliveries", 1);
                assertThat(copies)
                        .describedAs("copies of %s, in flight at the kill", code)
                        .isBetween(1L, 2L);
            } else {
                assertThat(copies).describedAs("copies of %s", code).isEqualTo(1L);
            }
        }
        assertThat(SMTP.getReceivedMessages().length).isBetween(ORDERS, ORDERS + CONNECTIONS);
        smtp.close();
    }
}
