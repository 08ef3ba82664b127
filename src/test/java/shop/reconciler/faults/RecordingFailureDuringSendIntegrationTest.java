package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.assertDelivered;
import static shop.reconciler.faults.ShopUnderTest.deliveriesByMessageId;
import static shop.reconciler.faults.ShopUnderTest.stableMessageId;

import com.icegreen.greenmail.util.GreenMail;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.SmtpFaultProxy;

/**
 * The send step records each result right after its send, before the next message goes out. When
 * the database refuses a result, the sending must stop at once (the chunk fails), every result
 * already sent must still be recorded, the notifications not yet tried must be given back without
 * an attempt spent, and the one not recorded must be sent again, with the same Message-ID, once
 * its claim has expired. Asserted on the rows and on what the SMTP server received.
 */
class RecordingFailureDuringSendIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final int ORDERS = 10;

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void aResultTheDatabaseRefusesStopsTheSendingLosesNoOtherResultAndIsResentOnceItsClaimExpires() throws Exception {
        // given: ten finished orders in one chunk, an SMTP server that takes 300 ms a message, and
        // a database that refuses to record R-04 as sent
        SmtpFaultProxy smtp = SmtpFaultProxy.in(SMTP).delayEachMessage(Duration.ofMillis(300));
        ShopUnderTest reconciler = new ShopUnderTest("recfail")
                .smtpPort(smtp.port())
                .with("reconciler.chunk-size", 20)
                // one connection: the assertions below name the one message in flight after R-04's failure
                .with("reconciler.mail.connections", 1)
                .with("reconciler.mail.claim-timeout", "3s");
        assertThat(reconciler.cli("status").exit()).isZero();
        for (int i = 1; i <= ORDERS; i++) {
            reconciler.shop.processingOrder(String.format("R-%02d", i), "r" + i + "@example.com", "completed");
        }
        reconciler
                .shop
                .jdbc()
                .execute("CREATE TRIGGER refuse_r04 BEFORE UPDATE ON order_notifications FOR EACH ROW"
                        + " BEGIN IF NEW.status = 'sent' AND OLD.order_code = 'R-04' THEN"
                        + " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no space left for R-04';"
                        + " END IF; END");

        // when
        CliRunner.Result failed = reconciler.cli("run");

        // then: the run failed; R-04 was sent but not recorded: still queued, still claimed
        assertThat(failed.exit()).describedAs(failed.describe()).isEqualTo(1);
        assertThat(reconciler.completedOrders()).isEqualTo(ORDERS);
        Map<String, Map<String, Object>> rows = reconciler.notifications();
        assertThat(rows.get("R-04"))
                .describedAs(reconciler.notificationsDump())
                .containsEntry("status", "queued")
                .containsEntry("attempts", 1);
        assertThat(rows.get("R-04").get("claimed_by")).isNotNull();
        assertDelivered(SMTP, "R-04", 1);
        // the sending stopped at R-04: in the order the step sends them (notification id, which
        // with two reconcile partitions need not follow the order codes) every message up to R-04
        // went out, none after it
        Map<String, Long> received = deliveriesByMessageId(SMTP);
        long refused = ((Number) rows.get("R-04").get("id")).longValue();
        rows.forEach((code, row) -> assertThat(received.containsKey(stableMessageId(code)))
                .describedAs(code + " received (notification id " + row.get("id") + ", R-04's " + refused + ")")
                .isEqualTo(((Number) row.get("id")).longValue() <= refused));
        // nothing lost: every other message received is recorded as sent, once; the rest are
        // queued, unclaimed, without an attempt spent
        for (int i = 1; i <= ORDERS; i++) {
            String code = String.format("R-%02d", i);
            if (code.equals("R-04")) {
                continue;
            }
            Map<String, Object> row = rows.get(code);
            if (received.containsKey(stableMessageId(code))) {
                assertThat(row)
                        .describedAs(code)
                        .containsEntry("status", "sent")
                        .containsEntry("attempts", 1);
                assertDelivered(SMTP, code, 1);
            } else {
                assertThat(row)
                        .describedAs(code)
                        .containsEntry("status", "queued")
                        .containsEntry("attempts", 0);
                assertThat(row.get("claimed_by")).describedAs(code).isNull();
            }
        }
        assertThat(rows.get("R-03")).containsEntry("status", "sent");

        // when: the database takes results again, and R-04's claim has expired
        reconciler.shop.jdbc().execute("DROP TRIGGER refuse_r04");
        ShopUnderTest.await(
                Duration.ofSeconds(20),
                "R-04's claim expired",
                () -> reconciler.shop.count("SELECT COUNT(*) FROM order_notifications WHERE order_code = 'R-04'"
                                + " AND claimed_until < NOW(3)")
                        == 1);
        reconciler.restartLastFailed(Duration.ofSeconds(20));

        // then: every notification sent; R-04 arrived twice with its one Message-ID, every other once
        reconciler.assertEveryNotificationSent(ORDERS);
        assertThat(reconciler.shop.notification("R-04")).containsEntry("attempts", 2);
        assertDelivered(SMTP, "R-04", 2);
        for (int i = 1; i <= ORDERS; i++) {
            if (i != 4) {
                assertDelivered(SMTP, String.format("R-%02d", i), 1);
            }
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(ORDERS + 1);
        smtp.close();
    }
}
