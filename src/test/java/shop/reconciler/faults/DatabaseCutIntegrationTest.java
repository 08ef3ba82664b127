package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.assertDelivered;

import com.icegreen.greenmail.util.GreenMail;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.TcpProxy;
import shop.reconciler.support.TestDatabase;

/**
 * The database goes away in the middle of a chunk. The reconciler talks to the
 * real server through a {@link TcpProxy}; the test severs every connection while a chunk's
 * transaction is open (its notification insert is sleeping in a trigger). The chunk must roll
 * back as a whole, the run must end failed (or be left for recovery), and a restart must finish
 * with every order right and one email each. The second test makes the database fall silent
 * instead (a black hole): the statement time-out derived from the lease fails the run, which ends
 * before the lease could lapse.
 */
class DatabaseCutIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final int ORDERS = 12;
    /**
     * The hung run's lease, the shortest allowed: what the second test asserts (the run ends before
     * its lease could lapse) holds for any length, and the restart waits for it to lapse.
     */
    private static final Duration AT_MOST_FOR = Duration.ofSeconds(30);

    /**
     * Its statement time-out, a tenth of the lease (the default's relation, set explicitly): the pool
     * waits half of it for a connection, so the run ends within two of them.
     */
    private static final Duration STATEMENT_TIMEOUT = AT_MOST_FOR.dividedBy(10);

    @BeforeEach
    void noMailYet() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void connectionsCutMidChunkRollTheChunkBackAndRestartFinishesEveryOrderWithOneEmailEach() throws Exception {
        // given: the reconciler's schema, twelve finished orders, chunks of one order slowed down
        // by a trigger, and the reconciler's only way to the database is the proxy
        ShopUnderTest reconciler =
                new ShopUnderTest("dbcut").smtpPort(SMTP.getSmtp().getPort());
        assertThat(reconciler.cli("status").exit()).isZero();
        for (int i = 1; i <= ORDERS; i++) {
            reconciler.shop.processingOrder(
                    String.format("E-%02d", i), "e" + i + "@example.com", "completed", "failed");
        }
        reconciler
                .shop
                .jdbc()
                .execute("CREATE TRIGGER slow_notifications BEFORE INSERT ON order_notifications"
                        + " FOR EACH ROW BEGIN DO SLEEP(0.3); END");
        TestDatabase.Server server = TestDatabase.server();
        TcpProxy proxy = TcpProxy.start(server.host(), server.port());
        reconciler
                .with("spring.datasource.url", proxy.jdbcUrl(reconciler.database))
                .with("reconciler.chunk-size", 1)
                .with("reconciler.lock.at-most-for", "30s");

        // when: the run is a few chunks in and a chunk's insert is sleeping, every connection is cut
        CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(() -> reconciler.cli("run"));
        ShopUnderTest.await(Duration.ofSeconds(60), "3 orders completed", () -> reconciler.completedOrders() >= 3);
        AtomicReference<String> cutOrder = new AtomicReference<>();
        // A chunk is in flight when, read uncommitted, an order is completed and has no
        // notification yet: its transaction has moved the order and sleeps in the insert.
        try (Connection probe = reconciler.database.dataSource().getConnection()) {
            probe.setTransactionIsolation(Connection.TRANSACTION_READ_UNCOMMITTED);
            try (PreparedStatement inFlight =
                    probe.prepareStatement("SELECT o.order_code FROM orders o WHERE o.order_status = 'completed'"
                            + " AND NOT EXISTS (SELECT 1 FROM order_notifications n WHERE n.order_id = o.id)")) {
                ShopUnderTest.await(Duration.ofSeconds(10), "a chunk inside its notification insert", () -> {
                    try (ResultSet rs = inFlight.executeQuery()) {
                        if (rs.next()) {
                            cutOrder.set(rs.getString(1));
                            return true;
                        }
                        return false;
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
        int severed = proxy.sever();
        CliRunner.Result cut = run.get(90, TimeUnit.SECONDS);

        // then: the run did not pretend to finish; the chunk in flight was rolled back as a whole
        assertThat(severed).isPositive();
        int startedExecutions =
                reconciler.shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STARTED'");
        assertThat(cut.exit() == 1 || startedExecutions == 1)
                .describedAs(
                        "exit 1, or the execution left STARTED for recovery: %s%n%s",
                        cut.describe(), reconciler.executionsDump())
                .isTrue();
        assertThat(reconciler.shop.orderStatus(cutOrder.get()))
                .describedAs("the order of the cut chunk")
                .isEqualTo("processing");
        assertThat(reconciler.shop.notification(cutOrder.get())).isNull();
        assertThat(reconciler.completedOrders()).isBetween(3, ORDERS - 1);
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM orders o WHERE o.order_status = 'completed'"
                        + " AND NOT EXISTS (SELECT 1 FROM order_notifications n WHERE n.order_id = o.id)"))
                .describedAs("completed orders without their notification: %s", reconciler.ordersDump())
                .isZero();
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM order_notifications n JOIN orders o ON o.id = n.order_id"
                        + " WHERE o.order_status <> 'completed'"))
                .describedAs("notifications of orders not completed")
                .isZero();
        // the send step still ran after the failed reconcile step (through new connections): what
        // it sent is exactly the emails of orders completed before the cut, one each, none for the
        // cut chunk's order
        assertThat(SMTP.getReceivedMessages())
                .hasSize(reconciler.shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'"));
        assertDelivered(SMTP, cutOrder.get(), 0);

        // when: restarted through the proxy (once the lease is free: a failed run releases it, a
        // run that could not reach the database leaves it to expire after at-most-for)
        reconciler.shop.jdbc().execute("DROP TRIGGER slow_notifications");
        CliRunner.Result restart = ShopUnderTest.retry(
                Duration.ofSeconds(45), () -> reconciler.cli("restart", "--last-failed"), r -> r.exit() != 75);

        // then: the same instance finished, every order right, one email each
        assertThat(restart.exit())
                .describedAs(
                        "%s%nthe cut run: %s%nexecutions: %s",
                        restart.describe(), cut.out(), reconciler.executionsDump())
                .isZero();
        assertThat(restart.out()).doesNotContain("nothing to restart");
        assertThat(reconciler.completedOrders()).isEqualTo(ORDERS);
        assertThat(reconciler.shop.count("SELECT COUNT(DISTINCT JOB_INSTANCE_ID) FROM BATCH_JOB_EXECUTION"))
                .isEqualTo(1);
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STARTED'"))
                .isZero();
        assertThat(reconciler.notifications().values())
                .hasSize(ORDERS)
                .allSatisfy(n -> assertThat(n).containsEntry("status", "sent").containsEntry("attempts", 1));
        for (int i = 1; i <= ORDERS; i++) {
            assertDelivered(SMTP, String.format("E-%02d", i), 1);
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(ORDERS);
        proxy.close();
    }

    @Test
    void databaseThatStopsAnsweringEndsTheRunBeforeItsLeaseLapsesAndTheRestartFinishesWithOneEmailEach()
            throws Exception {
        // given: as above, but the database will fall silent (no reset, no reply: a black hole),
        // under a lease of 30 s with a statement time-out of 3 s
        ShopUnderTest reconciler =
                new ShopUnderTest("dbhang").smtpPort(SMTP.getSmtp().getPort());
        assertThat(reconciler.cli("status").exit()).isZero();
        for (int i = 1; i <= ORDERS; i++) {
            reconciler.shop.processingOrder(String.format("H-%02d", i), "h" + i + "@example.com", "completed");
        }
        reconciler
                .shop
                .jdbc()
                .execute("CREATE TRIGGER slow_notifications BEFORE INSERT ON order_notifications"
                        + " FOR EACH ROW BEGIN DO SLEEP(0.3); END");
        TestDatabase.Server server = TestDatabase.server();
        TcpProxy proxy = TcpProxy.start(server.host(), server.port());
        reconciler
                .with("spring.datasource.url", proxy.jdbcUrl(reconciler.database))
                .with("reconciler.chunk-size", 1)
                .with("reconciler.lock.at-most-for", AT_MOST_FOR.toSeconds() + "s")
                .with("reconciler.db.statement-timeout", STATEMENT_TIMEOUT.toSeconds() + "s");

        // when: a few chunks in, every byte stops flowing, both ways, on every connection
        CompletableFuture<CliRunner.Result> run = CompletableFuture.supplyAsync(() -> reconciler.cli("run"));
        ShopUnderTest.await(
                Duration.ofSeconds(60), "3 orders completed", () -> run.isDone() || reconciler.completedOrders() >= 3);
        assertThat(run)
                .describedAs("the run ended before the database fell silent")
                .isNotDone();
        proxy.pause();
        long silentFrom = System.nanoTime();
        CliRunner.Result hung = run.get(AT_MOST_FOR.toSeconds() + 60, TimeUnit.SECONDS);
        Duration failedAfter = Duration.ofNanos(System.nanoTime() - silentFrom);

        // then: the run gave up by itself with exit code 1, before its lease could lapse even if
        // it was last extended just before the silence (a lease kept alive has half of
        // at-most-for left at least)
        assertThat(hung.exit()).describedAs(hung.describe()).isEqualTo(1);
        assertThat(failedAfter)
                .describedAs("from the database's silence to the end of the run")
                .isLessThan(AT_MOST_FOR.dividedBy(2));
        System.out.printf("the hung run ended %d ms after the database fell silent%n", failedAfter.toMillis());
        assertThat(hung.out() + hung.err()).doesNotContain("Exception in thread");

        // when: the database answers again, and the lease (if the failed run could not release
        // it) has lapsed after at-most-for
        proxy.sever();
        proxy.resume();
        reconciler.shop.jdbc().execute("DROP TRIGGER slow_notifications");
        // (the lease's row says when it is free: the command line, a Spring context each time, is
        // started once it is, rather than every two seconds until then)
        reconciler.awaitLeaseExpired(AT_MOST_FOR.plusSeconds(30));
        CliRunner.Result restart = ShopUnderTest.retry(
                AT_MOST_FOR.plusSeconds(30), () -> reconciler.cli("restart", "--last-failed"), r -> r.exit() != 75);

        // then: every order completed, one email each
        assertThat(restart.exit())
                .describedAs(
                        "%s%nthe hung run: %s%nexecutions: %s",
                        restart.describe(), hung.out(), reconciler.executionsDump())
                .isZero();
        assertThat(reconciler.completedOrders()).isEqualTo(ORDERS);
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STARTED'"))
                .isZero();
        for (int i = 1; i <= ORDERS; i++) {
            assertDelivered(SMTP, String.format("H-%02d", i), 1);
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(ORDERS);
        proxy.close();
    }
}
