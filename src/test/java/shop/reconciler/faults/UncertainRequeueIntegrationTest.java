package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.deliveriesByMessageId;
import static shop.reconciler.faults.ShopUnderTest.stableMessageId;
import static shop.reconciler.support.SmtpFaultProxy.DataEndFault.DROP_AFTER_FORWARD;

import com.icegreen.greenmail.util.GreenMail;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.SmtpFaultProxy;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Never a third copy through an operator's requeue: a notification whose deliveries' outcome is
 * unknown (the connection dropped after the end of data, twice, though the server had taken the
 * message) stays out of a bulk {@code requeue --failed}, which says how many it left out; an
 * explicit {@code requeue --uncertain} gives it exactly one more delivery. Real command line, real
 * database, GreenMail behind {@link SmtpFaultProxy}.
 */
class UncertainRequeueIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ShopUnderTest reconciler;
    private SmtpFaultProxy proxy;

    @BeforeEach
    void freshShopAndMailbox() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
        proxy = SmtpFaultProxy.in(SMTP);
        reconciler = new ShopUnderTest("uncertainrq")
                .smtpPort(proxy.port())
                .with("spring.mail.properties.mail.smtp.timeout", 2_000)
                .with("reconciler.mail.end-of-data-timeout", "2000ms")
                // one partition: notifications are sent in the order the orders were created
                .with("reconciler.partitions", "1")
                // one connection: the faults below hit the messages in the order they are sent
                .with("reconciler.mail.connections", 1);
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void bulkRequeueLeavesOutNotificationsWithUnknownOutcomesAndAnExplicitOneGivesExactlyOneMoreDelivery() {
        // given: U-1 and U-2, each taken by the server twice while the connection dropped before
        // the client saw the 250 (the first try and its in-run retry); F-550 refused by the
        // server; F-ADDR without a usable address
        reconciler.shop.processingOrder("U-1", "u1@example.com", "completed");
        reconciler.shop.processingOrder("U-2", "u2@example.com", "completed");
        reconciler.shop.processingOrder("F-550", "f550@example.com", "completed");
        reconciler.shop.processingOrder("F-ADDR", "not an address", "completed");
        proxy.failDataEnd(DROP_AFTER_FORWARD, DROP_AFTER_FORWARD, DROP_AFTER_FORWARD, DROP_AFTER_FORWARD)
                .rejectRecipient("f550@example.com", "550 5.1.1 no such user");

        // when
        CliRunner.Result first = reconciler.cli("run");

        // then: all four failed; the server has two copies of each uncertain one
        assertThat(first.exit()).describedAs(first.describe()).isZero();
        for (String code : new String[] {"U-1", "U-2"}) {
            assertThat(reconciler.shop.notification(code))
                    .describedAs(code + "\n" + proxy.transcript())
                    .containsEntry("status", "failed")
                    .containsEntry("uncertain_deliveries", 2);
        }
        assertThat(reconciler.shop.notification("F-550"))
                .containsEntry("status", "failed")
                .containsEntry("uncertain_deliveries", 0);
        assertThat(reconciler.shop.notification("F-ADDR")).containsEntry("status", "failed");
        assertThat(deliveriesByMessageId(SMTP))
                .containsExactly(Map.entry(stableMessageId("U-1"), 2L), Map.entry(stableMessageId("U-2"), 2L));

        // when: the server is fine again, the shop corrects F-ADDR, and the operator requeues
        // every failed notification in bulk (after a dry run in JSON)
        proxy.clearFaults();
        reconciler.shop.jdbc().update("UPDATE orders SET user_email = 'faddr@example.com' WHERE order_code = 'F-ADDR'");
        CliRunner.Result dry = reconciler.cli("requeue", "--failed", "--dry-run", "--json");
        CliRunner.Result bulk = reconciler.cli("requeue", "--failed");

        // then: the two ordinary ones are back in the queue; the uncertain ones are left out,
        // stay failed, and are counted
        assertThat(dry.exit()).describedAs(dry.describe()).isZero();
        JsonNode plan = JSON.readTree(dry.out());
        assertThat(plan.get("requeued").asLong()).isEqualTo(2);
        assertThat(plan.get("uncertainLeftOut").asLong()).isEqualTo(2);
        assertThat(bulk.exit()).describedAs(bulk.describe()).isZero();
        assertThat(bulk.out())
                .contains("requeued F-550 (failed)", "requeued F-ADDR (failed)")
                .doesNotContain("U-1", "U-2")
                .contains("requeued 2 notification(s); left out 2 with deliveries of unknown outcome")
                .contains("--uncertain");
        for (String code : new String[] {"U-1", "U-2"}) {
            assertThat(reconciler.shop.notification(code))
                    .containsEntry("status", "failed")
                    .containsEntry("uncertain_deliveries", 2);
        }
        JsonNode again =
                JSON.readTree(reconciler.cli("requeue", "--failed", "--json").out());
        assertThat(again.get("requeued").asLong()).isZero();
        assertThat(again.get("uncertainLeftOut").asLong()).isEqualTo(2);

        // when: the next run
        CliRunner.Result second = reconciler.cli("run");

        // then: the two ordinary ones are sent once; the uncertain ones got nothing more
        assertThat(second.exit()).describedAs(second.describe()).isZero();
        assertThat(reconciler.shop.notification("F-550")).containsEntry("status", "sent");
        assertThat(reconciler.shop.notification("F-ADDR")).containsEntry("status", "sent");
        assertThat(deliveriesByMessageId(SMTP))
                .containsExactly(
                        Map.entry(stableMessageId("F-550"), 1L),
                        Map.entry(stableMessageId("F-ADDR"), 1L),
                        Map.entry(stableMessageId("U-1"), 2L),
                        Map.entry(stableMessageId("U-2"), 2L));

        // when: the operator checked the mail server's log and asks for both explicitly; U-1's
        // one more delivery is dropped after the end of data again, U-2's goes through
        CliRunner.Result explicit = reconciler.cli("requeue", "--uncertain", "U-1", "U-2");
        proxy.failDataEnd(DROP_AFTER_FORWARD);
        CliRunner.Result third = reconciler.cli("run");
        CliRunner.Result fourth = reconciler.cli("run");

        // then: exactly one more delivery each: U-2 sent, U-1 failed again with no retry; a
        // later run sends nothing more
        assertThat(explicit.exit()).describedAs(explicit.describe()).isZero();
        assertThat(explicit.out()).contains("requeued U-1 (failed)", "requeued U-2 (failed)", "exactly one more");
        assertThat(third.exit()).describedAs(third.describe()).isZero();
        assertThat(fourth.exit()).describedAs(fourth.describe()).isZero();
        assertThat(reconciler.shop.notification("U-2")).containsEntry("status", "sent");
        assertThat(reconciler.shop.notification("U-1"))
                .describedAs(proxy.transcript())
                .containsEntry("status", "failed")
                .containsEntry("uncertain_deliveries", 2);
        assertThat((String) reconciler.shop.notification("U-1").get("last_error"))
                .contains("outcome of two deliveries is unknown");
        assertThat(deliveriesByMessageId(SMTP))
                .containsExactly(
                        Map.entry(stableMessageId("F-550"), 1L),
                        Map.entry(stableMessageId("F-ADDR"), 1L),
                        Map.entry(stableMessageId("U-1"), 3L),
                        Map.entry(stableMessageId("U-2"), 3L));
        assertThat(proxy.dataEnds())
                .describedAs("ends of data after the faults were set")
                .isEqualTo(8);
    }
}
