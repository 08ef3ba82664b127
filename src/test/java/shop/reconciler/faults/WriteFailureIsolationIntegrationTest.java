package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.assertDelivered;

import com.icegreen.greenmail.util.GreenMail;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;

/**
 * One order whose write the database refuses (a trigger that SIGNALs, as a shop's own trigger or a
 * value the server cannot store would) stops nothing: the rest of its chunk is written and sent,
 * the order stays processing without notification, is counted, logged once with its code and
 * listed by {@code status}. And when such a fault does fail the reconcile step
 * ({@code reconciler.max-write-failures=0}), the emails of the orders completed before it still go
 * out, the run exits 1, and {@code restart} finishes the rest.
 */
@ExtendWith(OutputCaptureExtension.class)
class WriteFailureIsolationIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();

    private ShopUnderTest reconciler;

    @BeforeEach
    void shop() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
        reconciler =
                new ShopUnderTest("isolate").smtpPort(SMTP.getSmtp().getPort()).with("reconciler.chunk-size", 5);
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    /** A BEFORE UPDATE trigger on orders that refuses to complete the order with this id. */
    private void refuseToComplete(long orderId) {
        reconciler.shop.jdbc().execute("""
                CREATE TRIGGER refuse_completion BEFORE UPDATE ON orders FOR EACH ROW
                BEGIN
                  IF NEW.id = %d AND NEW.order_status = 'completed' THEN
                    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the shop refuses this order';
                  END IF;
                END""".formatted(orderId));
    }

    /** A BEFORE INSERT trigger on order_notifications that refuses this order's row. */
    private void refuseNotification(String orderCode) {
        reconciler.shop.jdbc().execute("""
                CREATE TRIGGER refuse_notification BEFORE INSERT ON order_notifications FOR EACH ROW
                BEGIN
                  IF NEW.order_code = '%s' THEN
                    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure';
                  END IF;
                END""".formatted(orderCode));
    }

    private List<String> finishedOrders(int count) {
        return finishedOrders(1, count);
    }

    private List<String> finishedOrders(int first, int last) {
        List<String> codes = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            String code = String.format("WF-%02d", i);
            reconciler.shop.processingOrder(code, "wf" + i + "@example.com", "completed", "failed");
            codes.add(code);
        }
        return codes;
    }

    private static int occurrences(String text, String part) {
        Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    @Test
    void anOrderTheDatabaseRefusesIsSetAsideAndTheRestOfItsChunkIsCompletedAndSent(CapturedOutput output) {
        // given: 12 finished orders in chunks of 5, and among them one whose code has an ESC and
        // that the database refuses to complete
        List<String> codes = new ArrayList<>(finishedOrders(6));
        String badCode = "WF-BAD\u001b[2J";
        long bad = reconciler.shop.processingOrder(badCode, "bad@example.com", "completed");
        codes.addAll(finishedOrders(7, 12));
        refuseToComplete(bad);

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then: the run completes; every other order is completed and emailed once
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        for (String code : codes) {
            assertThat(reconciler.shop.orderStatus(code)).describedAs(code).isEqualTo("completed");
            assertDelivered(SMTP, code, 1);
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(12);
        // the refused order is left as it was: processing, no notification
        assertThat(reconciler.shop.orderStatus(badCode)).isEqualTo("processing");
        assertThat(reconciler.shop.notification(badCode)).isNull();
        // counted
        assertThat(reconciler.latestStepContext("reconcile")).containsEntry("reconcile.writeFailures", 1L);
        // logged once with its code, control characters escaped
        assertThat(output.getAll()).contains("WF-BAD\\e[2J (id " + bad + ") could not be written");
        assertThat(output.getAll()).doesNotContain("\u001b[2J");
        // and listed by status, with the database's reason
        CliRunner.Result status = reconciler.cli("status");
        assertThat(status.exit()).isZero();
        assertThat(status.out())
                .contains("write failures (processing orders the database refused to complete): 1")
                .contains("WF-BAD\\e[2J (id " + bad + "): ")
                .contains("the shop refuses this order")
                .doesNotContain("\u001b");

        // when: the next run meets the same order again
        CliRunner.Result again = reconciler.cli("run");

        // then: nothing else changes, it is counted again, but not logged one more time
        assertThat(again.exit()).describedAs(again.describe()).isZero();
        assertThat(reconciler.shop.orderStatus(badCode)).isEqualTo("processing");
        assertThat(SMTP.getReceivedMessages()).hasSize(12);
        assertThat(reconciler.latestStepContext("reconcile")).containsEntry("reconcile.writeFailures", 1L);
        assertThat(occurrences(output.getAll(), "could not be written and is left processing"))
                .isEqualTo(1);
        assertThat(reconciler.shop.count("SELECT failures FROM reconcile_failures WHERE order_id = " + bad))
                .isEqualTo(2);

        // when: the shop lets it through, the next run completes it and status no longer lists it
        reconciler.shop.jdbc().execute("DROP TRIGGER refuse_completion");
        assertThat(reconciler.cli("run").exit()).isZero();
        assertThat(reconciler.shop.orderStatus(badCode)).isEqualTo("completed");
        assertThat(SMTP.getReceivedMessages()).hasSize(13);
        assertThat(reconciler.cli("status").out())
                .contains("write failures (processing orders the database refused to complete): 0");
    }

    @Test
    void aFailingReconcileStepStillSendsTheEmailsOfTheOrdersItCompletedAndRestartFinishesIt() {
        // given: one plain step, chunks of 5, and the database refuses the notification of the 8th
        // order (second chunk); no order may be set aside, so the step fails there
        reconciler.with("reconciler.partitions", 1).with("reconciler.max-write-failures", 0);
        List<String> codes = finishedOrders(12);
        assertThat(reconciler.cli("status").exit()).isZero(); // creates the reconciler's tables
        refuseNotification("WF-08");

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then: the run fails, but the first chunk's five orders are completed and their emails sent
        assertThat(run.exit()).describedAs(run.describe()).isEqualTo(1);
        for (int i = 0; i < 12; i++) {
            String code = codes.get(i);
            assertThat(reconciler.shop.orderStatus(code))
                    .describedAs(code)
                    .isEqualTo(i < 5 ? "completed" : "processing");
            assertDelivered(SMTP, code, i < 5 ? 1 : 0);
        }
        assertThat(reconciler.executionsDump()).contains("STATUS=FAILED");
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM BATCH_STEP_EXECUTION WHERE STEP_NAME = 'send'"
                        + " AND STATUS = 'COMPLETED'"))
                .isEqualTo(1);

        // when: the fault is gone and the operator restarts the failed execution
        reconciler.shop.jdbc().execute("DROP TRIGGER refuse_notification");
        CliRunner.Result restarted = reconciler.cli("restart", "--last-failed");

        // then: the rest is completed and sent, nobody gets a second email
        assertThat(restarted.exit()).describedAs(restarted.describe()).isZero();
        for (String code : codes) {
            assertThat(reconciler.shop.orderStatus(code)).describedAs(code).isEqualTo("completed");
            assertDelivered(SMTP, code, 1);
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(12);
        assertThat(reconciler.shop.count("SELECT COUNT(DISTINCT JOB_INSTANCE_ID) FROM BATCH_JOB_EXECUTION"))
                .isEqualTo(1);
    }
}
