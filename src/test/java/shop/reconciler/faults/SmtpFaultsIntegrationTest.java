package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.assertDelivered;
import static shop.reconciler.faults.ShopUnderTest.deliveriesByMessageId;
import static shop.reconciler.faults.ShopUnderTest.stableMessageId;
import static shop.reconciler.support.SmtpFaultProxy.DataEndFault.DROP_AFTER_FORWARD;
import static shop.reconciler.support.SmtpFaultProxy.DataEndFault.DROP_BEFORE_FORWARD;
import static shop.reconciler.support.SmtpFaultProxy.DataEndFault.STALL_AFTER_FORWARD;
import static shop.reconciler.support.SmtpFaultProxy.DataEndFault.STALL_BEFORE_FORWARD;

import com.icegreen.greenmail.util.GreenMail;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.SmtpFaultProxy;
import shop.reconciler.support.SmtpFaultProxy.DataEndFault;

/**
 * One email per finished order, ever, across SMTP servers that refuse, time out, drop the
 * connection or throttle the sender, with the real command line, a real database and
 * a real SMTP server (GreenMail) behind {@link SmtpFaultProxy}. Every test asserts the outbox rows
 * and what GreenMail received.
 */
class SmtpFaultsIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();

    /** The client's read timeouts (every reply's, and the end of data's), small so that a stalled server costs 2 s. */
    private static final int SMTP_TIMEOUT_MILLIS = 2_000;

    private ShopUnderTest reconciler;
    private SmtpFaultProxy proxy;

    @BeforeEach
    void freshShopAndMailbox() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
        proxy = SmtpFaultProxy.in(SMTP);
        reconciler = new ShopUnderTest("smtpfault")
                .smtpPort(proxy.port())
                .with("spring.mail.properties.mail.smtp.timeout", SMTP_TIMEOUT_MILLIS)
                .with("reconciler.mail.end-of-data-timeout", SMTP_TIMEOUT_MILLIS + "ms")
                // one partition: notifications are queued, and so sent, in the order the orders
                // were created, so that the fault hits the message each test names
                .with("reconciler.partitions", "1")
                // one connection: each fault hits the message the test names (several connections:
                // maxRateHoldsAcrossSeveralConnectionsAtOnce, throttlingPausesEveryConnection...)
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

    // ------------------------------------------------------------------------------------------
    // 4xx: transient, retried in the run, then in later runs
    // ------------------------------------------------------------------------------------------

    @Test
    void serverAnswering451ForAWhileLeavesTheNotificationQueuedAndTheNextRunSendsItOnce() {
        // given: a finished order, and an SMTP server that answers 451 to every MAIL FROM
        reconciler.shop.processingOrder("A-451", "a451@example.com", "completed");
        proxy.refuseMailFrom(Integer.MAX_VALUE, "451 4.3.0 try again later");

        // when
        CliRunner.Result first = reconciler.cli("run");

        // then: the order is completed; its notification waits, one attempt used, the reply kept
        assertThat(first.exit()).describedAs(first.describe()).isZero();
        assertThat(reconciler.shop.orderStatus("A-451")).isEqualTo("completed");
        Map<String, Object> queued = reconciler.shop.notification("A-451");
        assertThat(queued).containsEntry("status", "queued").containsEntry("attempts", 1);
        assertThat((String) queued.get("last_error")).contains("451 4.3.0 try again later");
        assertThat(proxy.mailFromCommands())
                .describedAs("one try and reconciler.mail.retries (2) more")
                .isEqualTo(3);
        assertThat(SMTP.getReceivedMessages()).isEmpty();

        // when: the server accepts again
        proxy.clearFaults();
        CliRunner.Result second = reconciler.cli("run");

        // then: sent exactly once, on its second attempt
        assertThat(second.exit()).describedAs(second.describe()).isZero();
        Map<String, Object> sent = reconciler.shop.notification("A-451");
        assertThat(sent).containsEntry("status", "sent").containsEntry("attempts", 2);
        assertThat(sent.get("last_error")).isNull();
        assertThat(sent.get("sent_at")).isNotNull();
        assertDelivered(SMTP, "A-451", 1);
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }

    @Test
    void serverAnswering451TwiceIsRetriedWithinTheRunAndSendsOnce() {
        // given: the first two MAIL FROM are refused with 451, the third is accepted
        reconciler.shop.processingOrder("A-RETRY", "retry@example.com", "completed", "failed");
        reconciler.shop.processingOrder("A-AFTER", "after@example.com", "completed");
        proxy.refuseMailFrom(2, "451 4.7.1 greylisted, try again later");

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then: both sent in this run, on their first attempt, one copy each
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(reconciler.shop.notification("A-RETRY"))
                .containsEntry("status", "sent")
                .containsEntry("attempts", 1);
        assertThat(reconciler.shop.notification("A-AFTER"))
                .containsEntry("status", "sent")
                .containsEntry("attempts", 1);
        assertThat(proxy.mailFromCommands()).isEqualTo(4);
        assertDelivered(SMTP, "A-RETRY", 1);
        assertDelivered(SMTP, "A-AFTER", 1);
        assertThat(SMTP.getReceivedMessages()).hasSize(2);
    }

    // ------------------------------------------------------------------------------------------
    // A provider's limits: a maximum rate, and throttling replies
    // ------------------------------------------------------------------------------------------

    @Test
    void messagesAtMaxRateAreSpacedAcrossChunksByAtLeastOneIntervalEach() {
        // given: 8 orders, at most 4 messages per second, 3 per chunk
        int n = 8;
        double rate = 4;
        for (int i = 0; i < n; i++) {
            reconciler.shop.processingOrder("R-" + i, "r" + i + "@example.com", "completed");
        }
        reconciler.with("reconciler.mail.max-rate", rate).with("reconciler.mail.chunk-size", 3);

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then: all sent, once each, and the messages took at least (n-1)/rate seconds; the first
        // hand-over's MAIL FROM comes after connecting, hence the small allowance
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(SMTP.getReceivedMessages()).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertDelivered(SMTP, "R-" + i, 1);
        }
        List<Long> times = proxy.mailFromNanos();
        assertThat(times).hasSize(n);
        long spanMillis = (times.get(n - 1) - times.get(0)) / 1_000_000;
        assertThat(spanMillis).isGreaterThanOrEqualTo((long) ((n - 1) / rate * 1000) - 150);
    }

    @Test
    void maxRateHoldsAcrossSeveralConnectionsAtOnce() {
        // given: 12 orders, at most 5 messages per second, four connections at once
        int n = 12;
        double rate = 5;
        for (int i = 0; i < n; i++) {
            reconciler.shop.processingOrder("C-" + i, "c" + i + "@example.com", "completed");
        }
        reconciler.with("reconciler.mail.max-rate", rate).with("reconciler.mail.connections", 4);

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then: all sent, once each, over several connections, and no second held more than the
        // rate allows: any rate + 1 messages in a row took at least a second, all of them (n-1)/rate
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(SMTP.getReceivedMessages()).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertDelivered(SMTP, "C-" + i, 1);
        }
        assertThat(proxy.connections()).isGreaterThanOrEqualTo(2);
        List<Long> times = proxy.mailFromNanos().stream().sorted().toList();
        assertThat(times).hasSize(n);
        long spanMillis = (times.get(n - 1) - times.get(0)) / 1_000_000;
        assertThat(spanMillis).isGreaterThanOrEqualTo((long) ((n - 1) / rate * 1000) - 150);
        int perSecond = (int) rate;
        for (int i = 0; i + perSecond < n; i++) {
            assertThat((times.get(i + perSecond) - times.get(i)) / 1_000_000)
                    .describedAs("milliseconds between message %d and message %d", i, i + perSecond)
                    .isGreaterThanOrEqualTo(1000 - 150);
        }
    }

    @Test
    void aThrottlingReplyOnOneConnectionPausesEveryConnection() {
        // given: 8 orders over four connections; the first MAIL FROM is throttled, no in-run retry
        int n = 8;
        int connections = 4;
        for (int i = 0; i < n; i++) {
            reconciler.shop.processingOrder("P-" + i, "p" + i + "@example.com", "completed");
        }
        reconciler
                .with("reconciler.mail.connections", connections)
                .with("reconciler.mail.retry-backoff", "1500ms")
                .with("reconciler.mail.retries", 0);
        proxy.refuseMailFrom(1, "421 4.7.0 slow down");

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then: the throttled one waits for the next run, every other one is sent once; before the
        // pause was over each other connection sent at most the message it had already taken its
        // turn for, and at most one more whose turn it took between the server's reply and the
        // throttled connection's reading of it (a race the client cannot close: seen on a loaded
        // 2-core machine); the last message still went out after the pause
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'"))
                .describedAs(reconciler.notificationsDump())
                .isEqualTo(n - 1);
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'queued'"
                        + " AND last_error LIKE '421%'"))
                .describedAs(reconciler.notificationsDump())
                .isEqualTo(1);
        assertThat(SMTP.getReceivedMessages()).hasSize(n - 1);
        List<Long> times = proxy.mailFromNanos().stream().sorted().toList();
        assertThat(times).hasSize(n);
        long throttledAt = times.get(0);
        long duringPause = times.stream()
                .skip(1)
                .filter(t -> (t - throttledAt) / 1_000_000 < 1500 - 150)
                .count();
        assertThat(duringPause).describedAs("MAIL FROM within the pause").isLessThanOrEqualTo(2L * (connections - 1));
        assertThat((times.get(n - 1) - throttledAt) / 1_000_000).isGreaterThanOrEqualTo(1500 - 150);
    }

    @ParameterizedTest
    @ValueSource(strings = {"421 4.7.0 too many connections, slow down", "454 4.7.0 rate limit exceeded"})
    void throttlingRepliesPauseTheWholeLoopWithAGrowingPauseAndEveryMessageIsDeliveredOnce(String reply) {
        // given: the first two MAIL FROM are throttled
        reconciler.shop.processingOrder("T-1", "t1@example.com", "completed");
        reconciler.shop.processingOrder("T-2", "t2@example.com", "completed");
        reconciler.shop.processingOrder("T-3", "t3@example.com", "completed");
        reconciler.with("reconciler.mail.retry-backoff", "300ms").with("reconciler.mail.retries", 0);
        proxy.refuseMailFrom(2, reply);

        // when: no in-run retries, so a throttled message waits for the next run
        CliRunner.Result first = reconciler.cli("run");

        // then: two throttled and left queued with the reply; the third went out after the
        // whole loop paused 300 ms and then 600 ms
        assertThat(first.exit()).describedAs(first.describe()).isZero();
        assertThat(reconciler.shop.notification("T-1")).containsEntry("status", "queued");
        assertThat((String) reconciler.shop.notification("T-1").get("last_error"))
                .contains(reply.substring(0, 3));
        assertThat(reconciler.shop.notification("T-2")).containsEntry("status", "queued");
        assertThat(reconciler.shop.notification("T-3")).containsEntry("status", "sent");
        List<Long> times = proxy.mailFromNanos();
        assertThat(times).hasSize(3);
        assertThat((times.get(1) - times.get(0)) / 1_000_000).isGreaterThanOrEqualTo(300);
        assertThat((times.get(2) - times.get(1)) / 1_000_000).isGreaterThanOrEqualTo(600);

        // when: the next run
        CliRunner.Result second = reconciler.cli("run");

        // then: the throttled ones are delivered, each exactly once
        assertThat(second.exit()).describedAs(second.describe()).isZero();
        for (String code : List.of("T-1", "T-2", "T-3")) {
            assertThat(reconciler.shop.notification(code)).containsEntry("status", "sent");
            assertDelivered(SMTP, code, 1);
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(3);
    }

    // ------------------------------------------------------------------------------------------
    // 5xx: permanent, failed with the server's reply, never retried
    // ------------------------------------------------------------------------------------------

    @Test
    void recipientRefusedWith550EndsFailedWithTheRepliesAndIsNeverTriedAgain() {
        // given: three finished orders, the server refuses the second one's address for good
        reconciler.shop.processingOrder("B-1", "first@example.com", "completed");
        reconciler.shop.processingOrder("B-2", "nosuch@example.com", "completed");
        reconciler.shop.processingOrder("B-3", "third@example.com", "completed");
        proxy.rejectRecipient("nosuch@example.com", "550 5.1.1 no such user");

        // when
        CliRunner.Result first = reconciler.cli("run");

        // then
        assertThat(first.exit()).describedAs(first.describe()).isZero();
        Map<String, Object> failed = reconciler.shop.notification("B-2");
        assertThat(failed).containsEntry("status", "failed").containsEntry("attempts", 1);
        assertThat((String) failed.get("last_error")).contains("550 5.1.1 no such user");
        assertThat(reconciler.shop.notification("B-1"))
                .containsEntry("status", "sent")
                .containsEntry("attempts", 1);
        assertThat(reconciler.shop.notification("B-3"))
                .containsEntry("status", "sent")
                .containsEntry("attempts", 1);
        assertThat(proxy.recipientCommands("nosuch@example.com"))
                .describedAs("no in-run retry of a 5xx")
                .isEqualTo(1);
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'"))
                .isEqualTo(3);
        assertDelivered(SMTP, "B-1", 1);
        assertDelivered(SMTP, "B-2", 0);
        assertDelivered(SMTP, "B-3", 1);

        // when: a later run
        CliRunner.Result later = reconciler.cli("run");

        // then: nothing is tried again
        assertThat(later.exit()).describedAs(later.describe()).isZero();
        assertThat(reconciler.shop.notification("B-2"))
                .containsEntry("status", "failed")
                .containsEntry("attempts", 1);
        assertThat(proxy.recipientCommands("nosuch@example.com")).isEqualTo(1);
        assertThat(proxy.mailFromCommands()).isEqualTo(3);
        assertThat(SMTP.getReceivedMessages()).hasSize(2);
    }

    // ------------------------------------------------------------------------------------------
    // Time-outs and dropped connections after DATA
    // ------------------------------------------------------------------------------------------

    @Test
    void stallAfterDataBeforeTheServerAcceptedIsRetriedInTheRunAndDeliveredOnce() {
        assertFaultBeforeAcceptanceIsDeliveredOnce(STALL_BEFORE_FORWARD);
    }

    @Test
    void dropAfterDataBeforeTheServerAcceptedIsRetriedInTheRunAndDeliveredOnce() {
        assertFaultBeforeAcceptanceIsDeliveredOnce(DROP_BEFORE_FORWARD);
    }

    @Test
    void dropAfterTheServerAcceptedIsRetriedAndDeliveredAtMostTwiceWithTheSameMessageId() {
        assertFaultAfterAcceptanceIsDeliveredAtMostTwice(DROP_AFTER_FORWARD);
    }

    @Test
    void stallAfterTheServerAcceptedIsRetriedAndDeliveredAtMostTwiceWithTheSameMessageId() {
        assertFaultAfterAcceptanceIsDeliveredAtMostTwice(STALL_AFTER_FORWARD);
    }

    @Test
    void twoDeliveriesWithoutAReplyToTheEndOfDataEndFailedForAnOperatorAndNoRunSendsAThirdCopy() {
        // given: a server that takes every message but whose reply to the end of data never arrives
        reconciler.shop.processingOrder("C-UNKNOWN", "unknown@example.com", "completed");
        proxy.failDataEnd(
                STALL_AFTER_FORWARD,
                STALL_AFTER_FORWARD,
                STALL_AFTER_FORWARD,
                STALL_AFTER_FORWARD,
                STALL_AFTER_FORWARD);

        // when: three runs
        for (int run = 1; run <= 3; run++) {
            CliRunner.Result result = reconciler.cli("run");
            assertThat(result.exit())
                    .describedAs("run %d: %s", run, result.describe())
                    .isZero();
        }

        // then: sent twice (the first try and one in-run retry), never a third time; the row says why
        Map<String, Object> row = reconciler.shop.notification("C-UNKNOWN");
        assertThat(row)
                .describedAs(proxy.transcript())
                .containsEntry("status", "failed")
                .containsEntry("attempts", 1)
                .containsEntry("uncertain_deliveries", 2);
        assertThat((String) row.get("last_error"))
                .contains("outcome of two deliveries is unknown")
                .contains("operator");
        assertThat(proxy.dataEnds()).isEqualTo(2);
        assertThat(deliveriesByMessageId(SMTP)).containsExactly(Map.entry(stableMessageId("C-UNKNOWN"), 2L));
    }

    @Test
    void connectionsDroppedRightAfterTheEndOfDataAcrossRunsDeliverAtMostTwoCopies() {
        // given: no in-run retries, and a server whose every reply to the end of data is cut off
        reconciler.with("reconciler.mail.retries", 0);
        reconciler.shop.processingOrder("C-DROPS", "drops@example.com", "completed");
        proxy.failDataEnd(DROP_AFTER_FORWARD, DROP_AFTER_FORWARD, DROP_AFTER_FORWARD, DROP_AFTER_FORWARD);

        // when: the first run leaves it queued with one uncertain delivery
        CliRunner.Result first = reconciler.cli("run");

        // then
        assertThat(first.exit()).describedAs(first.describe()).isZero();
        assertThat(reconciler.shop.notification("C-DROPS"))
                .describedAs(proxy.transcript())
                .containsEntry("status", "queued")
                .containsEntry("attempts", 1)
                .containsEntry("uncertain_deliveries", 1);

        // when: three more runs
        for (int run = 2; run <= 4; run++) {
            CliRunner.Result result = reconciler.cli("run");
            assertThat(result.exit())
                    .describedAs("run %d: %s", run, result.describe())
                    .isZero();
        }

        // then: the second run's delivery was the last one
        Map<String, Object> row = reconciler.shop.notification("C-DROPS");
        assertThat(row)
                .containsEntry("status", "failed")
                .containsEntry("attempts", 2)
                .containsEntry("uncertain_deliveries", 2);
        assertThat((String) row.get("last_error")).contains("outcome of two deliveries is unknown");
        assertThat(proxy.dataEnds()).isEqualTo(2);
        assertThat(deliveriesByMessageId(SMTP)).containsExactly(Map.entry(stableMessageId("C-DROPS"), 2L));
    }

    @Test
    void aFailureBeforeTheEndOfDataThroughAWholeRunIsRetriedByTheNextRunAndDeliveredOnce() {
        // given: the first try and both in-run retries are refused before any data went out
        reconciler.shop.processingOrder("C-LATER", "later@example.com", "completed");
        proxy.refuseMailFrom(3, "421 4.3.2 service shutting down");

        // when
        CliRunner.Result first = reconciler.cli("run");

        // then: it waits for the next run with the error, no delivery counted as uncertain
        assertThat(first.exit()).describedAs(first.describe()).isZero();
        Map<String, Object> queued = reconciler.shop.notification("C-LATER");
        assertThat(queued)
                .describedAs(proxy.transcript())
                .containsEntry("status", "queued")
                .containsEntry("attempts", 1)
                .containsEntry("uncertain_deliveries", 0);
        assertThat((String) queued.get("last_error")).contains("421 4.3.2");
        assertThat(proxy.mailFromCommands()).isEqualTo(3);
        assertThat(SMTP.getReceivedMessages()).isEmpty();

        // when
        CliRunner.Result second = reconciler.cli("run");

        // then
        assertThat(second.exit()).describedAs(second.describe()).isZero();
        assertThat(reconciler.shop.notification("C-LATER"))
                .containsEntry("status", "sent")
                .containsEntry("attempts", 2);
        assertDelivered(SMTP, "C-LATER", 1);
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }

    /** The fault hits the first message; the server never had it: exactly one copy of each email. */
    private void assertFaultBeforeAcceptanceIsDeliveredOnce(DataEndFault fault) {
        // given
        reconciler.shop.processingOrder("C-HIT", "hit@example.com", "completed");
        reconciler.shop.processingOrder("C-NEXT", "next@example.com", "completed");
        proxy.failDataEnd(fault);

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then: both sent in this run, on their first attempt (in-run retries cost no attempt)
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(reconciler.shop.notification("C-HIT"))
                .describedAs(proxy.transcript())
                .containsEntry("status", "sent")
                .containsEntry("attempts", 1);
        assertThat(reconciler.shop.notification("C-NEXT"))
                .containsEntry("status", "sent")
                .containsEntry("attempts", 1);
        assertThat(proxy.pendingDataEndFaults()).isZero();
        assertThat(proxy.messages())
                .filteredOn(m -> m.fault() == fault)
                .singleElement()
                .satisfies(m -> assertThat(m.messageId()).isEqualTo(stableMessageId("C-HIT")));
        assertDelivered(SMTP, "C-HIT", 1);
        assertDelivered(SMTP, "C-NEXT", 1);
        assertThat(SMTP.getReceivedMessages()).hasSize(2);
    }

    /**
     * The server accepted the first message but the client never saw its 250: the one window no
     * SMTP client can close. The message may arrive twice, never more, with the same Message-ID.
     */
    private void assertFaultAfterAcceptanceIsDeliveredAtMostTwice(DataEndFault fault) {
        // given
        reconciler.shop.processingOrder("C-ACCEPTED", "accepted@example.com", "completed");
        reconciler.shop.processingOrder("C-NEXT", "next@example.com", "completed");
        proxy.failDataEnd(fault);

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(reconciler.shop.notification("C-ACCEPTED"))
                .describedAs(proxy.transcript())
                .containsEntry("status", "sent")
                .containsEntry("attempts", 1);
        assertThat(reconciler.shop.notification("C-NEXT"))
                .containsEntry("status", "sent")
                .containsEntry("attempts", 1);
        assertThat(proxy.messages())
                .filteredOn(m -> m.fault() == fault)
                .singleElement()
                .satisfies(m -> assertThat(m.acceptedByServer()).isTrue())
                .satisfies(m -> assertThat(m.clientSawReply()).isFalse());
        Map<String, Long> copies = deliveriesByMessageId(SMTP);
        assertThat(copies.get(stableMessageId("C-ACCEPTED")))
                .describedAs("copies of C-ACCEPTED")
                .isBetween(1L, 2L);
        assertDelivered(SMTP, "C-NEXT", 1);
        assertThat(copies).containsOnlyKeys(stableMessageId("C-ACCEPTED"), stableMessageId("C-NEXT"));

        // when: a later run
        CliRunner.Result later = reconciler.cli("run");

        // then: no third copy
        assertThat(later.exit()).isZero();
        assertThat(deliveriesByMessageId(SMTP)).isEqualTo(copies);
    }

    // ------------------------------------------------------------------------------------------
    // No SMTP server at all
    // ------------------------------------------------------------------------------------------

    @Test
    void withoutAnySmtpServerOrdersCompleteAndNoNotificationSpendsAnAttempt() throws Exception {
        // given: three finished orders, and nothing listening on the SMTP port
        reconciler.shop.processingOrder("D-1", "d1@example.com", "completed");
        reconciler.shop.processingOrder("D-2", "d2@example.com", "completed", "failed");
        reconciler.shop.processingOrder("D-3", "d3@example.com", "completed");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        // when
        CliRunner.Result down = reconciler.cli("run", "--spring.mail.port=" + closedPort);

        // then: every order completed; no notification used an attempt (nothing reached a server),
        // each says why it waits
        assertThat(down.exit()).describedAs(down.describe()).isZero();
        assertThat(reconciler.completedOrders()).isEqualTo(3);
        Map<String, Map<String, Object>> waiting = reconciler.notifications();
        assertThat(waiting.values())
                .describedAs(reconciler.notificationsDump())
                .allSatisfy(n -> assertThat(n).containsEntry("status", "queued"));
        assertThat(waiting.get("D-1")).containsEntry("attempts", 0);
        assertThat((String) waiting.get("D-1").get("last_error")).isNotBlank();
        assertThat(waiting.get("D-2")).describedAs("deferred, not tried").containsEntry("attempts", 0);
        assertThat(waiting.get("D-3")).describedAs("deferred, not tried").containsEntry("attempts", 0);
        assertThat(waiting.values())
                .allSatisfy(n -> assertThat((String) n.get("last_error")).contains("SMTP server unreachable"));
        assertThat(SMTP.getReceivedMessages()).isEmpty();

        // when: the server is back
        CliRunner.Result back = reconciler.cli("run");

        // then: one email each
        assertThat(back.exit()).describedAs(back.describe()).isZero();
        Map<String, Map<String, Object>> sent = reconciler.notifications();
        assertThat(sent.values()).allSatisfy(n -> assertThat(n).containsEntry("status", "sent"));
        assertThat(sent.get("D-1")).containsEntry("attempts", 1);
        assertThat(sent.get("D-2")).containsEntry("attempts", 1);
        assertThat(sent.get("D-3")).containsEntry("attempts", 1);
        for (String code : new String[] {"D-1", "D-2", "D-3"}) {
            assertDelivered(SMTP, code, 1);
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(3);
    }
}
