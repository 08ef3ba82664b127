package shop.reconciler.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import shop.reconciler.support.ConsoleSession;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.ServeUnderTest;
import shop.reconciler.support.ShopFixture;

/**
 * Viewers cannot hurt the job: {@code serve} with a 256 MB heap runs a 200,000-order execution
 * while a viewer opens an order of 10,000 tasks, each with a 64 KB error message (650 MB if read
 * whole), and 20 viewers load the overview at once. The execution completes, every page is
 * answered, and serve is alive and stops cleanly afterwards.
 */
class ConsoleUnderLoadIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final String VIEWER_SECRET = "viewer-Secret-4711";
    private static final int ORDERS = 200_000;
    private static final int BIG_TASKS = 10_000;

    private ServeUnderTest node;

    @AfterEach
    void stopServe() {
        if (node != null) {
            node.close();
        }
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void aHugeOrderPageAndTwentyOverviewsDuringA200kRunLeaveTheRunAndTheHeapAlone() throws Exception {
        // given: 200,000 finished orders (their tasks a month old: completed without email)
        // (serve as installed: the heap and the JIT compiler a 200k run meets in production)
        node = new ServeUnderTest("load", SMTP).asInstalled();
        ShopFixture shop = node.shop;
        seedFinishedOrders(shop);
        // and an order held open by one task among 10,000 failed ones with 64 KB errors each
        long big = shop.order("BIG-1", "big@example.com", "processing");
        for (int from = 0; from < BIG_TASKS; from += 1_000) {
            shop.jdbc().update("""
                    INSERT INTO download_tasks (order_id, course_title, course_url, status, error_message)
                    SELECT ?, CONCAT('Course ', n), CONCAT('https://example.com/c/', n),
                           CASE WHEN n = 5000 THEN 'processing' ELSE 'failed' END, REPEAT('e', 65000)
                      FROM (""" + numbers() + ") seq WHERE n >= ? AND n < ?", big, from, from + 1_000);
        }
        assertThat(shop.count("SELECT COUNT(*) FROM download_tasks WHERE order_id = ?", big))
                .isEqualTo(BIG_TASKS);

        // when: serve (256 MB of heap) starts a run, and viewers open pages while it runs
        ReconcilerProcess serve = node.start("--reconciler.management.viewer.password=" + VIEWER_SECRET);
        node.await(
                ReconcilerProcess.STARTED_WITHIN,
                () -> shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STARTED'") > 0);
        ConsoleSession orderViewer = new ConsoleSession(node.port()).login("viewer", VIEWER_SECRET);
        ExecutorService viewers = Executors.newFixedThreadPool(21);
        Future<HttpResponse<String>> orderPage =
                viewers.submit(() -> orderViewer.get("/console/orders?code=BIG-1", Duration.ofSeconds(120)));
        List<Future<HttpResponse<String>>> overviews = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ConsoleSession viewer = new ConsoleSession(node.port()).login("viewer", VIEWER_SECRET);
            overviews.add(viewers.submit(() -> viewer.get("/console", Duration.ofSeconds(120))));
        }

        // then: the order page answers with the task that holds the order open, and counts the rest
        HttpResponse<String> order = orderPage.get();
        assertThat(order.statusCode()).isEqualTo(200);
        assertThat(order.body())
                .contains("Order BIG-1")
                .contains("9,900 more of the order's 10,000 tasks are not listed")
                .containsPattern("<td>open</td><td>[0-9][^<]* ago</td>")
                .doesNotContain("eeeeeeeeee");
        assertThat(order.body().indexOf("<td>processing</td>"))
                .describedAs("the open task comes first")
                .isBetween(0, order.body().indexOf("<td>failed</td>"));
        assertThat(order.body().length()).isLessThan(200_000);
        // and every overview is answered: the page, or "busy" within the console's own budget
        int shown = 0;
        for (Future<HttpResponse<String>> overview : overviews) {
            HttpResponse<String> response = overview.get();
            assertThat(response.statusCode()).describedAs(response.body()).isIn(200, 503);
            if (response.statusCode() == 200) {
                shown++;
                assertThat(response.body()).contains("Notifications by status");
            }
        }
        assertThat(shown).isPositive();
        viewers.shutdown();

        // then: the run completes every finished order, and serve is still there
        node.await(
                Duration.ofSeconds(600),
                () -> shop.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'") == ORDERS);
        node.await(
                Duration.ofSeconds(60),
                () -> shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'") > 0);
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'FAILED'"))
                .isZero();
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'skipped'"))
                .isEqualTo(ORDERS);
        assertThat(shop.orderStatus("BIG-1")).isEqualTo("processing");
        assertThat(serve.isAlive()).describedAs(serve.output()).isTrue();
        assertThat(serve.output()).doesNotContain("OutOfMemoryError");
        // and it stops as asked, with the JVM's exit code for SIGTERM
        serve.process().destroy();
        assertThat(serve.waitFor(60)).isEqualTo(143);
    }

    /** The orders and their tasks, each in one set-based statement. */
    private static void seedFinishedOrders(ShopFixture shop) {
        shop.jdbc().update("""
                INSERT INTO orders (order_code, user_email, total_amount, payment_status, order_status)
                SELECT CONCAT('L-', n), CONCAT('buyer', n, '@example.com'), 10.00, 'paid', 'processing'
                  FROM (""" + numbers() + ") seq WHERE n < ?", ORDERS);
        shop.jdbc().update("""
                INSERT INTO download_tasks (order_id, course_title, course_url, status, updated_at, created_at)
                SELECT id, 'Course', 'https://example.com/c', 'completed',
                       TIMESTAMPADD(DAY, -30, NOW(3)), TIMESTAMPADD(DAY, -30, NOW(3))
                  FROM orders WHERE order_code LIKE 'L-%'""");
    }

    /** 0 to 999,999, as {@code n}. */
    private static String numbers() {
        String digits = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4"
                + " UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
        StringBuilder sql = new StringBuilder(
                "SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d" + " + 100000 * g.d AS n FROM ");
        String[] names = {"a", "b", "c", "e", "f", "g"};
        for (int i = 0; i < names.length; i++) {
            sql.append(i == 0 ? "" : " CROSS JOIN ").append(digits).append(' ').append(names[i]);
        }
        return sql.toString();
    }
}
