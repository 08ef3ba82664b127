package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.SmtpFaultProxy;

/**
 * The send loop's order, seen from outside: a message's result is committed before the next
 * message's end of data on the same connection, and that next message is marked in flight before
 * the server can take it. So the messages the server took and the rows recorded as sent never
 * differ by more than one per connection.
 */
class SendOrderIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void theResultIsRecordedBeforeTheNextMessagesEndOfDataReachesTheServer() throws Exception {
        // given: one connection, a server that holds each message 2 s after its end of data
        SmtpFaultProxy smtp = SmtpFaultProxy.in(SMTP).delayEachMessage(Duration.ofSeconds(2));
        ShopUnderTest reconciler =
                new ShopUnderTest("sendorder").smtpPort(smtp.port()).with("reconciler.mail.connections", 1);
        assertThat(reconciler.cli("status").exit()).isZero();
        for (int i = 1; i <= 3; i++) {
            reconciler.shop.processingOrder("O-" + i, "o" + i + "@example.com", "completed");
        }

        // when: the run is caught while the server holds the second message's end of data
        CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(() -> reconciler.cli("run"));
        ShopUnderTest.await(
                Duration.ofSeconds(60), "the second end of data", () -> smtp.dataEnds() >= 2 || run.isDone());
        Set<String> held = smtp.inFlightMessageIds();
        List<String> sentWhileHeld =
                reconciler.shop.codes("SELECT order_code FROM order_notifications" + " WHERE status = 'sent'");
        List<String> inFlightWhileHeld = reconciler.shop.codes(
                "SELECT order_code FROM order_notifications" + " WHERE delivery_started_at IS NOT NULL");
        Set<String> stillHeld = smtp.inFlightMessageIds();

        // then: the first message is recorded as sent, the second is marked in flight, and the
        // server had not answered it while the rows were read
        assertThat(smtp.dataEnds()).isEqualTo(2);
        assertThat(held).hasSize(1).isEqualTo(stillHeld);
        String first = smtp.messages().get(0).messageId();
        assertThat(held).doesNotContain(first);
        String heldId = held.iterator().next();
        assertThat(sentWhileHeld)
                .describedAs(reconciler.notificationsDump())
                .containsExactly(first.substring("<order-".length(), first.indexOf('@')));
        assertThat(inFlightWhileHeld)
                .describedAs(reconciler.notificationsDump())
                .containsExactly(heldId.substring("<order-".length(), heldId.indexOf('@')));

        // and the run ends with every message sent once
        CliRunner.Result result = run.get();
        assertThat(result.exit()).describedAs(result.describe()).isZero();
        assertThat(SMTP.getReceivedMessages()).hasSize(3);
        assertThat(reconciler.notifications().values())
                .allSatisfy(n -> assertThat(n).containsEntry("status", "sent"));
        smtp.close();
    }

    @Test
    void overSeveralConnectionsTheServerNeverHoldsMoreUnrecordedMessagesThanConnections() throws Exception {
        // given: three connections, a server that holds each message 150 ms
        int connections = 3;
        int orders = 18;
        SmtpFaultProxy smtp = SmtpFaultProxy.in(SMTP).delayEachMessage(Duration.ofMillis(150));
        ShopUnderTest reconciler = new ShopUnderTest("sendordermulti")
                .smtpPort(smtp.port())
                .with("reconciler.mail.connections", connections);
        assertThat(reconciler.cli("status").exit()).isZero();
        SMTP.purgeEmailFromAllMailboxes();
        for (int i = 1; i <= orders; i++) {
            reconciler.shop.processingOrder(String.format("P-%02d", i), "p" + i + "@example.com", "completed");
        }

        // when: sampled all through the run (the server's count first, so that a sample can only
        // understate the difference, never invent one)
        CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(() -> reconciler.cli("run"));
        List<Integer> unrecorded = new ArrayList<>();
        while (!run.isDone()) {
            int received = SMTP.getReceivedMessages().length;
            int sent = reconciler.shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'");
            unrecorded.add(received - sent);
            Thread.sleep(20);
        }

        // then
        CliRunner.Result result = run.get();
        assertThat(result.exit()).describedAs(result.describe()).isZero();
        assertThat(smtp.connections()).isGreaterThanOrEqualTo(2);
        assertThat(unrecorded).isNotEmpty().allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(connections));
        assertThat(SMTP.getReceivedMessages()).hasSize(orders);
        assertThat(reconciler.notifications().values())
                .hasSize(orders)
                .allSatisfy(n -> assertThat(n).containsEntry("status", "sent"));
        smtp.close();
    }
}
