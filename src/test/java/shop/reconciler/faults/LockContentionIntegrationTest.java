package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.assertDelivered;

import com.icegreen.greenmail.util.GreenMail;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.TestDatabase;

/**
 * Lock-wait timeouts and deadlocks while the shop's own webhooks update the
 * same {@code download_tasks} and {@code orders} rows. With {@code innodb_lock_wait_timeout} set
 * to 2 s on the server, two "webhook" threads hold row locks for about 3 s at a time: one churns
 * over a few orders (tasks first, then orders: the opposite order of the reconciler's, so
 * deadlocks are possible as well as time-outs), the other holds one order until the reconciler
 * waits for it, keeps it past the time-out, then re-queues one of its tasks. The run must end
 * COMPLETED (the chunk is retried), the re-queued order must stay {@code processing}, and every
 * other order must be completed with one email.
 */
class LockContentionIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final int ORDERS = 10;
    private static final String REQUEUED = "H-05";
    private static final List<String> CHURNED = List.of("H-02", "H-07", "H-09");

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void runUnderLockTimeoutsAndDeadlocksFromWebhooksCompletesAndKeepsARequeuedOrderOpen() throws Exception {
        // given
        ShopUnderTest reconciler =
                new ShopUnderTest("locks").smtpPort(SMTP.getSmtp().getPort()).with("reconciler.chunk-size", 1);
        assertThat(reconciler.cli("status").exit()).isZero();
        for (int i = 1; i <= ORDERS; i++) {
            reconciler.shop.processingOrder(
                    String.format("H-%02d", i), "h" + i + "@example.com", "completed", "completed");
        }
        reconciler
                .shop
                .jdbc()
                .execute("CREATE TRIGGER slow_notifications BEFORE INSERT ON order_notifications"
                        + " FOR EACH ROW BEGIN DO SLEEP(0.2); END");
        long requeuedOrder = orderId(reconciler, REQUEUED);
        long requeuedTask = reconciler
                .shop
                .jdbc()
                .queryForObject("SELECT MIN(id) FROM download_tasks WHERE order_id = ?", Long.class, requeuedOrder);
        List<Long> churnedOrders =
                CHURNED.stream().map(code -> orderId(reconciler, code)).toList();
        String churnedIds = churnedOrders.stream()
                .map(String::valueOf)
                .reduce((a, b) -> a + "," + b)
                .orElseThrow();

        int previousTimeout = globalLockWaitTimeout();
        setGlobalLockWaitTimeout(2);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger churnCycles = new AtomicInteger();
        List<String> webhookErrors = new ArrayList<>();
        CliRunner.Result run;
        boolean reconcilerWaitedOnTheRequeuedOrder;
        try (Connection requeuer = reconciler.database.dataSource().getConnection();
                Connection churner = reconciler.database.dataSource().getConnection()) {
            // the re-queuing webhook takes its order's rows before the run starts
            requeuer.setAutoCommit(false);
            try (Statement s = requeuer.createStatement()) {
                s.executeQuery("SELECT id FROM orders WHERE id = " + requeuedOrder + " FOR UPDATE")
                        .close();
                s.executeQuery("SELECT id FROM download_tasks WHERE order_id = " + requeuedOrder + " FOR UPDATE")
                        .close();
            }

            // the churning webhook: tasks, then orders, held ~3 s, over and over
            churner.setAutoCommit(false);
            long churnerThread;
            try (Statement s = churner.createStatement();
                    ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                churnerThread = rs.getLong(1);
            }
            CompletableFuture<Void> churn = CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    try (Statement s = churner.createStatement()) {
                        s.executeQuery("SELECT id FROM download_tasks WHERE order_id IN (" + churnedIds
                                        + ") FOR UPDATE")
                                .close();
                        s.executeUpdate(
                                "UPDATE download_tasks SET updated_at = NOW(3) WHERE order_id IN (" + churnedIds + ")");
                        Thread.sleep(1_500);
                        s.executeQuery("SELECT id FROM orders WHERE id IN (" + churnedIds + ") FOR UPDATE")
                                .close();
                        Thread.sleep(1_500);
                        churner.commit();
                        churnCycles.incrementAndGet();
                        Thread.sleep(300);
                    } catch (SQLException e) {
                        synchronized (webhookErrors) {
                            webhookErrors.add(e.getErrorCode() + " " + e.getMessage());
                        }
                        try {
                            churner.rollback();
                        } catch (SQLException ignored) {
                            // the next cycle will tell
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });

            // when: the job runs while the webhooks hold their rows
            CompletableFuture<CliRunner.Result> job = CompletableFuture.supplyAsync(() -> reconciler.cli("run"));

            // the re-queuing webhook waits until the reconciler waits for its order, keeps it
            // past the lock-wait time-out, then re-queues one of its tasks and commits
            reconcilerWaitedOnTheRequeuedOrder = awaitReconcilerBlockedOn(reconciler, "H-04", churnerThread, job);
            Thread.sleep(2_500);
            try (Statement s = requeuer.createStatement()) {
                s.executeUpdate("UPDATE download_tasks SET status = 'pending' WHERE id = " + requeuedTask);
            }
            requeuer.commit();

            run = job.get(180, TimeUnit.SECONDS);
            stop.set(true);
            churn.get(30, TimeUnit.SECONDS);
        } finally {
            setGlobalLockWaitTimeout(previousTimeout);
        }

        // then: the run completed in spite of the time-outs (its chunks were rolled back and retried)
        String state = String.format(
                "%s%nexecutions %s%nwebhook errors %s, churn cycles %d",
                run.describe(), reconciler.executionsDump(), webhookErrors, churnCycles.get());
        assertThat(run.exit()).describedAs(state).isZero();
        assertThat(reconcilerWaitedOnTheRequeuedOrder).describedAs(state).isTrue();
        assertThat(churnCycles.get()).describedAs(state).isPositive();
        assertThat(reconciler.shop.count("SELECT COALESCE(SUM(ROLLBACK_COUNT), 0) FROM BATCH_STEP_EXECUTION"
                        + " WHERE STEP_NAME = 'reconcile'"))
                .describedAs("chunks rolled back by lock time-outs: %s", state)
                .isPositive();

        // then: the re-queued order stays open, without notification or email
        assertThat(reconciler.shop.orderStatus(REQUEUED)).isEqualTo("processing");
        assertThat(reconciler.shop.notification(REQUEUED)).isNull();
        assertDelivered(SMTP, REQUEUED, 0);

        // then: every other order completed, once, with one email
        assertThat(reconciler.completedOrders())
                .describedAs(reconciler.ordersDump())
                .isEqualTo(ORDERS - 1);
        assertThat(reconciler.notifications()).hasSize(ORDERS - 1);
        assertThat(reconciler.notifications().values())
                .describedAs(reconciler.notificationsDump())
                .allSatisfy(n -> assertThat(n).containsEntry("status", "sent").containsEntry("attempts", 1));
        for (int i = 1; i <= ORDERS; i++) {
            String code = String.format("H-%02d", i);
            if (!code.equals(REQUEUED)) {
                assertDelivered(SMTP, code, 1);
            }
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(ORDERS - 1);
    }

    private static long orderId(ShopUnderTest reconciler, String code) {
        return reconciler.shop.jdbc().queryForObject("SELECT id FROM orders WHERE order_code = ?", Long.class, code);
    }

    /**
     * Waits until the reconciler is blocked on the re-queued order: the order before it is
     * completed (chunks go in id order, one order each) and a transaction other than the churning
     * webhook's is in LOCK WAIT. False if the job ended first. (INNODB_TRX exists on MariaDB and
     * MySQL alike; INNODB_LOCK_WAITS does not.)
     */
    private static boolean awaitReconcilerBlockedOn(
            ShopUnderTest reconciler, String previousOrder, long churnerThread, CompletableFuture<?> job)
            throws InterruptedException {
        String waiting = "SELECT COUNT(*) FROM information_schema.INNODB_TRX"
                + " WHERE trx_state = 'LOCK WAIT' AND trx_mysql_thread_id <> ?";
        try {
            ShopUnderTest.await(
                    Duration.ofSeconds(90),
                    "the reconciler waiting for " + REQUEUED,
                    () -> job.isDone()
                            || "completed".equals(reconciler.shop.orderStatus(previousOrder))
                                    && reconciler.shop.jdbc().queryForObject(waiting, Integer.class, churnerThread)
                                            > 0);
        } catch (AssertionError timeout) {
            return false;
        }
        return !job.isDone();
    }

    private static int globalLockWaitTimeout() throws SQLException {
        try (Connection admin = TestDatabase.server().openAdminConnection();
                Statement s = admin.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@GLOBAL.innodb_lock_wait_timeout")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void setGlobalLockWaitTimeout(int seconds) throws SQLException {
        try (Connection admin = TestDatabase.server().openAdminConnection();
                Statement s = admin.createStatement()) {
            s.execute("SET GLOBAL innodb_lock_wait_timeout = " + seconds);
        }
    }
}
