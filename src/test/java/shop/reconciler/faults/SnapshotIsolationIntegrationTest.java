package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.assertDelivered;

import com.icegreen.greenmail.util.GreenMail;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;

/**
 * MariaDB 11.6 and later turn {@code innodb_snapshot_isolation} ON: in a REPEATABLE READ
 * transaction, a locking read or write of a row that another transaction changed since this one's
 * snapshot fails with error 1020 ({@code ER_CHECKREAD}) and rolls the transaction back, instead of
 * waiting. The embedded MariaDB 11.4 has the variable, OFF by default: here the reconciler's
 * sessions turn it ON (the JDBC URL's {@code sessionVariables}) while the shop's webhook, in the
 * seed's style (a task updated, then the order completed by the webhook itself when all its tasks
 * are terminal), works on the same orders during the run.
 *
 * <ol>
 *   <li>One webhook has updated the last open task of {@code S-TALLY} (first chunk) and not
 *       committed yet: the reconciler's tally under shared locks meets a row changed since the
 *       page's snapshot. The webhook then completes the order itself and commits, once the
 *       reconciler waits for it or two seconds after the step started.
 *   <li>Another has completed {@code S-UPDATE} (second chunk; its tasks all terminal) and not
 *       committed yet: the reconciler's guarded UPDATE meets the order's row changed since the
 *       snapshot. It commits once the reconciler waits for it, or two seconds after the first
 *       chunk committed.
 *   <li>Meanwhile a third finishes the last task of twenty more orders one after another and
 *       completes each itself, as the shop does.
 * </ol>
 *
 * Both conflicts must be lock conflicts: the run exits 0, no order is set aside as bad data, every
 * order ends with exactly one notification (the reconciler's row, or the webhook's own completion),
 * none is completed with a task that is not terminal, and after a second run nothing finished is
 * left processing.
 */
class SnapshotIsolationIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final String TALLY = "S-TALLY";
    private static final String UPDATE = "S-UPDATE";
    private static final int FINISHED = 12;
    private static final int BACKGROUND = 20;

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void snapshotConflictsWithTheShopsWebhookAreLockConflictsNotBadDataNorAFailedRun() throws Exception {
        // given: the reconciler's sessions with innodb_snapshot_isolation=ON, small chunks
        ShopUnderTest reconciler =
                new ShopUnderTest("snapshot").smtpPort(SMTP.getSmtp().getPort()).with("reconciler.chunk-size", 3);
        String url = reconciler.database.url() + "&sessionVariables=innodb_snapshot_isolation=ON";
        reconciler.with("spring.datasource.url", url);
        try (Connection session = DriverManager.getConnection(
                        url, reconciler.database.username(), reconciler.database.password());
                Statement s = session.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@SESSION.innodb_snapshot_isolation")) {
            rs.next();
            assertThat(rs.getInt(1))
                    .describedAs("innodb_snapshot_isolation of the reconciler's sessions")
                    .isOne();
        }
        assertThat(reconciler.cli("status").exit()).isZero();

        // given: the first chunk holds the order of the first webhook, the second chunk the order
        // of the second, then more finished orders, then orders still being worked on
        List<String> finished = new ArrayList<>();
        for (int i = 1; i <= FINISHED; i++) {
            String code = String.format("F-%02d", i);
            finished.add(code);
            reconciler.shop.processingOrder(code, "f" + i + "@example.com", "completed", "failed");
            if (i == 1) {
                reconciler.shop.processingOrder(TALLY, "tally@example.com", "completed", "processing");
            }
            if (i == 3) {
                reconciler.shop.processingOrder(UPDATE, "update@example.com", "completed", "completed");
            }
        }
        for (int i = 1; i <= BACKGROUND; i++) {
            reconciler.shop.processingOrder(
                    String.format("B-%02d", i), "b" + i + "@example.com", "completed", "processing");
        }
        // each notification row takes a moment, so that the run and the webhooks overlap
        reconciler
                .shop
                .jdbc()
                .execute("CREATE TRIGGER slow_notifications BEFORE INSERT ON order_notifications"
                        + " FOR EACH ROW BEGIN DO SLEEP(0.1); END");
        long tallyOrder = orderId(reconciler, TALLY);
        long updateOrder = orderId(reconciler, UPDATE);
        Set<String> completedByWebhook = ConcurrentHashMap.newKeySet();

        CliRunner.Result run;
        boolean tallyReleased = false;
        boolean updateReleased = false;
        List<String> webhookErrors = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (Connection tallyHook = reconciler.database.dataSource().getConnection();
                Connection updateHook = reconciler.database.dataSource().getConnection();
                Connection background = reconciler.database.dataSource().getConnection()) {
            // the two webhooks in the middle of their work, before the run starts
            tallyHook.setAutoCommit(false);
            try (Statement s = tallyHook.createStatement()) {
                s.executeUpdate("UPDATE download_tasks SET status = 'completed' WHERE order_id = " + tallyOrder
                        + " AND status = 'processing'");
            }
            updateHook.setAutoCommit(false);
            try (Statement s = updateHook.createStatement()) {
                assertThat(s.executeUpdate("UPDATE orders SET order_status = 'completed' WHERE id = " + updateOrder
                                + " AND order_status = 'processing'"))
                        .isOne();
            }
            Set<Long> webhookThreads = Set.of(threadId(tallyHook), threadId(updateHook), threadId(background));

            // the third webhook: one task after another, each order completed by it when finished
            CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
                try {
                    ShopUnderTest.await(
                            Duration.ofSeconds(60),
                            "the run started",
                            () -> stop.get() || reconciler.shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION") > 0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 1; i <= BACKGROUND && !stop.get(); i++) {
                    String code = String.format("B-%02d", i);
                    try {
                        Thread.sleep(100);
                        if (finishLastTaskAndComplete(background, code)) {
                            completedByWebhook.add(code);
                        }
                    } catch (SQLException e) {
                        synchronized (webhookErrors) {
                            webhookErrors.add(code + ": " + e.getErrorCode() + " " + e.getMessage());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });

            // when: the run meets both webhooks in the middle of their work. Under snapshot isolation
            // the reconciler does not wait for them: its locking reads and writes of their rows fail
            // at once. Each webhook commits once the reconciler waits for it, or two seconds after
            // the reconciler reached its chunk (the step started; the first chunk committed).
            CompletableFuture<CliRunner.Result> job = CompletableFuture.supplyAsync(() -> reconciler.cli("run"));
            Instant tallyDeadline = null;
            Instant updateDeadline = null;
            Instant end = Instant.now().plus(Duration.ofSeconds(120));
            while (!(tallyReleased && updateReleased)
                    && !job.isDone()
                    && Instant.now().isBefore(end)) {
                if (tallyDeadline == null
                        && reconciler.shop.count(
                                        "SELECT COUNT(*) FROM BATCH_STEP_EXECUTION WHERE STEP_NAME LIKE 'reconcile-%'")
                                > 0) {
                    tallyDeadline = Instant.now().plusSeconds(2);
                }
                if (updateDeadline == null && "completed".equals(reconciler.shop.orderStatus("F-02"))) {
                    updateDeadline = Instant.now().plusSeconds(2);
                }
                if (!tallyReleased
                        && (reconcilerWaits(reconciler, webhookThreads, "%GROUP BY t.order_id%")
                                || tallyDeadline != null && Instant.now().isAfter(tallyDeadline))) {
                    try (Statement s = tallyHook.createStatement()) {
                        // the seed's webhook: all tasks terminal now, so it completes the order itself
                        s.executeUpdate("UPDATE orders SET order_status = 'completed' WHERE id = " + tallyOrder
                                + " AND order_status = 'processing'");
                    }
                    tallyHook.commit();
                    completedByWebhook.add(TALLY);
                    tallyReleased = true;
                }
                if (!updateReleased
                        && (reconcilerWaits(reconciler, webhookThreads, "%orders o%")
                                || updateDeadline != null && Instant.now().isAfter(updateDeadline))) {
                    updateHook.commit();
                    completedByWebhook.add(UPDATE);
                    updateReleased = true;
                }
                Thread.sleep(10);
            }
            if (!tallyReleased) {
                tallyHook.rollback();
            }
            if (!updateReleased) {
                updateHook.rollback();
            }
            run = job.get(180, TimeUnit.SECONDS);
            traffic.get(60, TimeUnit.SECONDS);
            stop.set(true);
        }

        // then: the run completed; a conflict was retried, none was taken for bad data
        String state = String.format(
                "%s%nexecutions %s%nfailures %s%norders %s%nwebhook errors %s",
                run.describe(),
                reconciler.executionsDump(),
                reconciler.shop.jdbc().queryForList("SELECT * FROM reconcile_failures"),
                reconciler.ordersDump(),
                webhookErrors);
        assertThat(run.exit()).describedAs(state).isZero();
        assertThat(tallyReleased && updateReleased)
                .describedAs("both webhooks committed during the run: %s", state)
                .isTrue();
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM reconcile_failures"))
                .describedAs(state)
                .isZero();
        assertThat(reconciler.shop.count("SELECT COALESCE(SUM(ROLLBACK_COUNT), 0) FROM BATCH_STEP_EXECUTION"
                        + " WHERE STEP_NAME LIKE 'reconcile%'"))
                .describedAs("chunks rolled back by the conflict and written again: %s", state)
                .isPositive();
        assertNoOrderCompletedWithAnOpenTask(reconciler);
        assertOneNotificationPerCompletedOrder(reconciler, completedByWebhook);
        for (String code : finished) {
            assertThat(reconciler.shop.orderStatus(code)).describedAs(code).isEqualTo("completed");
            assertDelivered(SMTP, code, 1);
        }
        for (String code : List.of(TALLY, UPDATE)) {
            assertThat(reconciler.shop.orderStatus(code)).describedAs(code).isEqualTo("completed");
            assertThat(reconciler.shop.notification(code))
                    .describedAs("the webhook completed %s itself", code)
                    .isNull();
            assertDelivered(SMTP, code, 0);
        }

        // when: a second run, once the webhook traffic is over
        CliRunner.Result second = reconciler.cli("run");

        // then: nothing finished is left processing, still one notification per order
        assertThat(second.exit()).describedAs(second.describe()).isZero();
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM orders o WHERE o.order_status = 'processing'"
                        + " AND NOT EXISTS (SELECT 1 FROM download_tasks t WHERE t.order_id = o.id"
                        + " AND t.status NOT IN ('completed', 'failed'))"))
                .describedAs("finished orders left processing: %s", reconciler.ordersDump())
                .isZero();
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM reconcile_failures"))
                .isZero();
        assertNoOrderCompletedWithAnOpenTask(reconciler);
        assertOneNotificationPerCompletedOrder(reconciler, completedByWebhook);
        assertThat(SMTP.getReceivedMessages())
                .hasSize(reconciler.shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'"));
        assertThat(ShopUnderTest.deliveriesBySubject(SMTP).values()).allMatch(copies -> copies == 1);
    }

    /**
     * The seed's webhook for the order's last open task: the task updated, then the order's tasks
     * checked, then the order completed when all are terminal; each statement on its own. True if
     * this webhook completed the order.
     */
    private static boolean finishLastTaskAndComplete(Connection webhook, String code) throws SQLException {
        long order;
        try (PreparedStatement s = webhook.prepareStatement("SELECT id FROM orders WHERE order_code = ?")) {
            s.setString(1, code);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                order = rs.getLong(1);
            }
        }
        try (Statement s = webhook.createStatement()) {
            s.executeUpdate("UPDATE download_tasks SET status = 'completed' WHERE order_id = " + order
                    + " AND status = 'processing'");
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM download_tasks WHERE order_id = " + order
                    + " AND status NOT IN ('completed', 'failed')")) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    return false;
                }
            }
            return s.executeUpdate("UPDATE orders SET order_status = 'completed' WHERE id = " + order
                            + " AND order_status = 'processing'")
                    == 1;
        }
    }

    private static void assertNoOrderCompletedWithAnOpenTask(ShopUnderTest reconciler) {
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM orders o WHERE o.order_status = 'completed'"
                        + " AND EXISTS (SELECT 1 FROM download_tasks t WHERE t.order_id = o.id"
                        + " AND t.status NOT IN ('completed', 'failed'))"))
                .describedAs("orders completed with a task that is not terminal: %s", reconciler.ordersDump())
                .isZero();
    }

    /** Every completed order was told once: by the reconciler's notification, or by the webhook that completed it. */
    private static void assertOneNotificationPerCompletedOrder(ShopUnderTest reconciler, Set<String> byWebhook) {
        List<String> completed = reconciler
                .shop
                .jdbc()
                .queryForList("SELECT order_code FROM orders WHERE order_status = 'completed'", String.class);
        for (String code : completed) {
            int rows = reconciler.shop.count("SELECT COUNT(*) FROM order_notifications WHERE order_code = ?", code);
            assertThat(rows + (byWebhook.contains(code) ? 1 : 0))
                    .describedAs("notifications of %s (completed by the webhook: %s)", code, byWebhook.contains(code))
                    .isOne();
        }
    }

    private static long orderId(ShopUnderTest reconciler, String code) {
        return reconciler.shop.jdbc().queryForObject("SELECT id FROM orders WHERE order_code = ?", Long.class, code);
    }

    private static long threadId(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Whether a transaction other than the webhooks' waits for a lock in a statement like {@code pattern}. */
    private static boolean reconcilerWaits(ShopUnderTest reconciler, Set<Long> webhookThreads, String pattern) {
        return reconciler
                .shop
                .jdbc()
                .queryForList(
                        "SELECT trx_mysql_thread_id FROM information_schema.INNODB_TRX"
                                + " WHERE trx_state = 'LOCK WAIT' AND trx_query LIKE ?",
                        Long.class,
                        pattern)
                .stream()
                .anyMatch(thread -> !webhookThreads.contains(thread));
    }
}
