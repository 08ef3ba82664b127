package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.assertDelivered;

import com.icegreen.greenmail.util.GreenMail;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;

/**
 * Bad input: a shop whose status columns are VARCHAR rather than the documented ENUM, and hold
 * values the reconciler does not define. MySQL and MariaDB compare strings by collation (usually
 * case-insensitive and blind to trailing spaces), so {@code 'COMPLETED '} would pass for
 * {@code 'completed'} in a careless query. Such tasks are not terminal: their orders stay
 * {@code processing}, get no email, and the run completes.
 */
class VarcharStatusIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();

    private ShopUnderTest reconciler;

    @BeforeEach
    void varcharShop() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
        reconciler = new ShopUnderTest("varchar").smtpPort(SMTP.getSmtp().getPort());
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void tasksWithUnknownStatusesKeepTheirOrdersOpenWithoutEmailAndTheRunCompletes() {
        // given: download_tasks.status is a VARCHAR holding unknown values beside known ones
        reconciler.shop.jdbc().execute("ALTER TABLE download_tasks MODIFY status VARCHAR(32) NOT NULL");
        Map<String, String> unknown = Map.of(
                "I-WEIRD", "weird",
                "I-UPPER-PADDED", "COMPLETED ",
                "I-PADDED", "completed ",
                "I-CAPITAL", "Completed",
                "I-FAILED-PADDED", "failed  ");
        unknown.forEach((code, status) -> {
            long id = reconciler.shop.processingOrder(code, code.toLowerCase() + "@example.com", "completed");
            reconciler.shop.task(id, "Odd course of " + code, status);
        });
        reconciler.shop.processingOrder("I-DONE", "done@example.com", "completed", "failed");
        reconciler.shop.processingOrder("I-OPEN", "open@example.com", "completed", "enrolled");

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then: the run completes; only the order whose statuses are all known and terminal moves
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(run.out()).contains("COMPLETED");
        for (String code : unknown.keySet()) {
            assertThat(reconciler.shop.orderStatus(code))
                    .describedAs("%s, with a task '%s'", code, unknown.get(code))
                    .isEqualTo("processing");
            assertThat(reconciler.shop.notification(code)).describedAs(code).isNull();
            assertDelivered(SMTP, code, 0);
        }
        assertThat(reconciler.shop.orderStatus("I-OPEN")).isEqualTo("processing");
        assertThat(reconciler.shop.orderStatus("I-DONE")).isEqualTo("completed");
        assertThat(reconciler.shop.notification("I-DONE")).containsEntry("status", "sent");
        assertDelivered(SMTP, "I-DONE", 1);
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
        // reported: counted in the step's execution context, one per order with an unknown status
        assertThat(reconciler.latestStepContext("reconcile"))
                .containsEntry("reconcile.ordersWithUnknownTaskStatus", (long) unknown.size());

        // and a later run, still with the odd statuses, changes nothing
        assertThat(reconciler.cli("run").exit()).isZero();
        assertThat(reconciler.completedOrders()).isEqualTo(1);
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }

    @Test
    void ordersWhoseVarcharStatusIsOnlyLikeProcessingAreNeverTouched() {
        // given: orders.order_status is a VARCHAR; only 'processing' exactly is a candidate
        reconciler.shop.jdbc().execute("ALTER TABLE orders MODIFY order_status VARCHAR(32) NOT NULL DEFAULT 'pending'");
        List<String> lookalikes = List.of("PROCESSING", "Processing", "weird");
        for (int i = 0; i < lookalikes.size(); i++) {
            String status = lookalikes.get(i);
            String code = "I-LIKE-" + i;
            long id = reconciler.shop.order(code, code.toLowerCase() + "@example.com", status);
            reconciler.shop.task(id, "Course of " + code, "completed");
        }
        reconciler.shop.processingOrder("I-REAL", "real@example.com", "completed");

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        Map<String, String> expected = new TreeMap<>();
        Map<String, String> actual = new TreeMap<>();
        for (int i = 0; i < lookalikes.size(); i++) {
            String code = "I-LIKE-" + i;
            expected.put(code, lookalikes.get(i) + ", no notification");
            actual.put(
                    code,
                    reconciler.shop.orderStatus(code)
                            + (reconciler.shop.notification(code) == null ? ", no notification" : ", notified"));
        }
        assertThat(actual)
                .describedAs("orders whose status only looks like 'processing'")
                .isEqualTo(expected);
        assertThat(reconciler.shop.orderStatus("I-REAL")).isEqualTo("completed");
        assertDelivered(SMTP, "I-REAL", 1);
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }
}
