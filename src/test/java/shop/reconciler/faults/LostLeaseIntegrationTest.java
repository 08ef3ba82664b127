package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.assertDelivered;

import com.icegreen.greenmail.util.GreenMail;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.SmtpFaultProxy;

/**
 * Two instances at once because the lease was lost. Node A (a process of its
 * own) is reconciling a slowed-down shop when its lease row vanishes; node B (this JVM) then
 * takes the lease and runs the job at the same time. Guarded writes, the unique outbox key and
 * the atomic claim must keep it to one completion, one notification and one email per order.
 * An audit trigger on {@code orders} records every status change, so "completed once" is a fact
 * of the database, not an inference.
 */
class LostLeaseIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final int ORDERS = 30;

    @BeforeEach
    void emptyMailbox() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void secondInstanceAfterTheLeaseRowVanishedLeavesOneCompletionOneNotificationAndOneEmailPerOrder()
            throws Exception {
        // given: thirty finished orders, chunks of one slowed by a trigger, a slightly slow SMTP server
        SmtpFaultProxy smtp = SmtpFaultProxy.in(SMTP).delayEachMessage(Duration.ofMillis(50));
        ShopUnderTest reconciler = new ShopUnderTest("lostlease")
                .smtpPort(smtp.port())
                .with("reconciler.chunk-size", 1)
                .with("reconciler.lock.at-most-for", "30s");
        assertThat(reconciler.cli("status").exit()).isZero();
        for (int i = 1; i <= ORDERS; i++) {
            reconciler.shop.processingOrder(
                    String.format("G-%02d", i), "g" + i + "@example.com", "completed", "completed");
        }
        reconciler
                .shop
                .jdbc()
                .execute("CREATE TABLE order_status_audit (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
                        + " order_id BIGINT NOT NULL, old_status VARCHAR(16), new_status VARCHAR(16), connection_id BIGINT)"
                        + " ENGINE=InnoDB");
        reconciler
                .shop
                .jdbc()
                .execute("CREATE TRIGGER audit_order_status AFTER UPDATE ON orders FOR EACH ROW BEGIN"
                        + " IF NOT (NEW.order_status <=> OLD.order_status) THEN"
                        + " INSERT INTO order_status_audit (order_id, old_status, new_status, connection_id)"
                        + " VALUES (NEW.id, OLD.order_status, NEW.order_status, CONNECTION_ID()); END IF; END");
        reconciler
                .shop
                .jdbc()
                .execute("CREATE TRIGGER slow_notifications BEFORE INSERT ON order_notifications"
                        + " FOR EACH ROW BEGIN DO SLEEP(0.4); END");

        // when: node A is a few orders in, its lease row is deleted, and node B runs (with chunks
        // of five, so that it gets ahead of A on some orders instead of trailing it on all)
        CliRunner.Result nodeB;
        int nodeAExit;
        boolean overlapped;
        try (ReconcilerProcess nodeA = reconciler.startProcess("run")) {
            ShopUnderTest.await(
                    Duration.ofSeconds(90),
                    "node A completed 2 orders",
                    () -> reconciler.completedOrders() >= 2 || !nodeA.isAlive());
            assertThat(nodeA.isAlive()).describedAs(nodeA.output()).isTrue();
            assertThat(reconciler.shop.count("SELECT COUNT(*) FROM shedlock WHERE lock_until > UTC_TIMESTAMP(3)"))
                    .isEqualTo(1);
            reconciler.shop.jdbc().update("DELETE FROM shedlock");

            CompletableFuture<CliRunner.Result> b =
                    CompletableFuture.supplyAsync(() -> reconciler.cli("run", "--reconciler.chunk-size=5"));
            overlapped = awaitBothRunning(reconciler, b);
            nodeB = b.get(120, TimeUnit.SECONDS);
            nodeAExit = nodeA.waitFor(120);
        }

        // then: both executions completed, and they really ran at the same time
        assertThat(overlapped)
                .describedAs("two executions STARTED at once: %s", reconciler.executionsDump())
                .isTrue();
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'"))
                .isEqualTo(2);

        // then: every order completed exactly once
        assertThat(reconciler.completedOrders()).isEqualTo(ORDERS);
        List<Map<String, Object>> changes = reconciler
                .shop
                .jdbc()
                .queryForList(
                        "SELECT order_id, COUNT(*) AS changes, MIN(old_status) AS old_status, MIN(new_status) AS new_status"
                                + " FROM order_status_audit GROUP BY order_id");
        assertThat(changes)
                .hasSize(ORDERS)
                .allSatisfy(change -> assertThat(change)
                        .containsEntry("changes", 1L)
                        .containsEntry("old_status", "processing")
                        .containsEntry("new_status", "completed"));

        // then: one notification row per order, sent once, and one email per order
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM order_notifications"))
                .isEqualTo(ORDERS);
        assertThat(reconciler.shop.count("SELECT COUNT(DISTINCT order_id) FROM order_notifications"))
                .isEqualTo(ORDERS);
        assertThat(reconciler.notifications().values())
                .describedAs(reconciler.notificationsDump())
                .allSatisfy(n -> assertThat(n).containsEntry("status", "sent").containsEntry("attempts", 1));
        for (int i = 1; i <= ORDERS; i++) {
            assertDelivered(SMTP, String.format("G-%02d", i), 1);
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(ORDERS);
        assertThat(smtp.dataEnds()).describedAs("messages the two nodes sent").isEqualTo(ORDERS);

        // then: node B, which held the lease, says its run completed. (Node A's exit code depends
        // on whether its keep-alive tried to extend the lost lease before it finished: see
        // runWhoseLeaseWasTakenOverMidRunReportsItsCompletedExecutionAndLeavesTheNewHolderAlone.)
        assertThat(nodeB.exit()).describedAs(nodeB.describe()).isZero();
        System.out.printf("lost lease: node A exited %d%n", nodeAExit);
        assertThat(reconciler.shop.count("SELECT COUNT(DISTINCT job_execution_id) FROM order_notifications"))
                .describedAs(
                        "both nodes completed orders: %s",
                        reconciler
                                .shop
                                .jdbc()
                                .queryForList(
                                        "SELECT job_execution_id, COUNT(*) AS orders FROM order_notifications GROUP BY job_execution_id"))
                .isEqualTo(2);
        smtp.close();
    }

    @Test
    void runWhoseLeaseWasTakenOverMidRunReportsItsCompletedExecutionAndLeavesTheNewHolderAlone() throws Exception {
        // given: a run that lasts longer than half of at-most-for (30 s), when its keep-alive
        // extends the lease: the chunks of the orders after the first sleep 5 s each in a trigger
        // (four of them, one order per chunk, on one thread: each statement stays within the
        // statement time-out of 7 s, the run lasts over 20 s)
        ShopUnderTest reconciler = new ShopUnderTest("leasetaken")
                .smtpPort(SMTP.getSmtp().getPort())
                .with("reconciler.chunk-size", 1)
                .with("reconciler.partitions", 1)
                .with("reconciler.db.statement-timeout", "7s")
                .with("reconciler.lock.at-most-for", "30s");
        assertThat(reconciler.cli("status").exit()).isZero();
        List<String> slow = List.of("T-2", "T-3", "T-4", "T-5");
        reconciler.shop.processingOrder("T-1", "t1@example.com", "completed");
        for (String code : slow) {
            reconciler.shop.processingOrder(code, code.toLowerCase(Locale.ROOT) + "@example.com", "completed");
        }
        reconciler
                .shop
                .jdbc()
                .execute("CREATE TRIGGER slow_t2 BEFORE INSERT ON order_notifications FOR EACH ROW BEGIN"
                        + " IF NEW.order_code <> 'T-1' THEN DO SLEEP(5); END IF; END");

        // when: once the run is going, another node takes the lease over (the row expired for it,
        // say, after a clock jump) and holds it for an hour
        CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(() -> reconciler.cli("run"));
        ShopUnderTest.await(
                Duration.ofSeconds(60), "T-1 completed", () -> "completed".equals(reconciler.shop.orderStatus("T-1")));
        int takenOver = reconciler
                .shop
                .jdbc()
                .update("UPDATE shedlock SET locked_by = 'node-b', locked_at = UTC_TIMESTAMP(3),"
                        + " lock_until = UTC_TIMESTAMP(3) + INTERVAL 1 HOUR");
        CliRunner.Result result = run.get(120, TimeUnit.SECONDS);

        // then: the execution completed, and the command says so; node B's lease is untouched
        assertThat(takenOver).isEqualTo(1);
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'"))
                .isEqualTo(1);
        assertThat(reconciler.completedOrders()).isEqualTo(1 + slow.size());
        assertDelivered(SMTP, "T-1", 1);
        for (String code : slow) {
            assertDelivered(SMTP, code, 1);
        }
        assertThat(reconciler.shop.count(
                        "SELECT COUNT(*) FROM shedlock WHERE locked_by = 'node-b' AND lock_until > UTC_TIMESTAMP(3)"))
                .describedAs("node B's lease")
                .isEqualTo(1);
        assertThat(result.exit())
                .describedAs("a run whose execution COMPLETED: %s", result.describe())
                .isZero();
        assertThat(result.out()).contains("COMPLETED").doesNotContain("failed");
    }

    /** Whether two executions were STARTED at the same moment before node B ended. */
    private static boolean awaitBothRunning(ShopUnderTest reconciler, CompletableFuture<CliRunner.Result> nodeB)
            throws InterruptedException {
        try {
            ShopUnderTest.await(
                    Duration.ofSeconds(60),
                    "two executions STARTED at once",
                    () -> nodeB.isDone()
                            || reconciler.shop.count(
                                            "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STARTED'")
                                    == 2);
        } catch (AssertionError timeout) {
            return false;
        }
        return reconciler.shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STARTED'") == 2;
    }
}
