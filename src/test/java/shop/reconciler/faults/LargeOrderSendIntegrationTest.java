package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.faults.ShopUnderTest.subjectOf;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;

/**
 * The send step's memory does not follow the shop's data: one order with 10,000 failed tasks,
 * each with a 64 KB error (about 650 MB if read in full), completes and is emailed by a node of its
 * own with a 256 MB heap, and its email lists the first courses and counts the rest.
 */
class LargeOrderSendIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final int FAILED_TASKS = 10_000;
    private static final int ERROR_BYTES = 65_535;

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void anOrderWithTenThousandTasksOf64KbErrorsIsSentByANodeWith256MbOfHeap() throws Exception {
        // given: a small order, and a big one whose tasks are written by the server itself
        ShopUnderTest reconciler =
                new ShopUnderTest("bigorder").smtpPort(SMTP.getSmtp().getPort()).with("reconciler.partitions", 1);
        assertThat(reconciler.cli("status").exit()).isZero();
        reconciler.shop.processingOrder("SMALL-1", "small@example.com", "completed");
        long big = reconciler.shop.processingOrder("BIG-1", "big@example.com", "completed");
        for (int batch = 0; batch < FAILED_TASKS / 500; batch++) {
            reconciler.shop.jdbc().update("""
                    INSERT INTO download_tasks (order_id, email, course_title, course_url, status, error_message)
                    WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
                    SELECT ?, 'big@example.com', CONCAT('Failed course ', ? * 500 + i),
                           CONCAT('https://courses.example.com/', ? * 500 + i), 'failed',
                           REPEAT('e', ?)
                      FROM n
                    """, big, batch, batch, ERROR_BYTES);
        }
        assertThat(reconciler.shop.count("SELECT COUNT(*) FROM download_tasks WHERE order_id = " + big))
                .isEqualTo(FAILED_TASKS + 1);

        // when: a node with -Xmx256m runs the job
        int exit;
        String output;
        try (ReconcilerProcess node = reconciler.startProcess("run")) {
            exit = node.waitFor(300);
            output = node.output();
        }

        // then: both orders completed and emailed, the big one's email bounded
        assertThat(exit).describedAs(output).isZero();
        assertThat(output).doesNotContain("OutOfMemoryError");
        assertThat(reconciler.shop.orderStatus("BIG-1")).isEqualTo("completed");
        assertThat(reconciler.shop.notification("BIG-1")).containsEntry("status", "sent");
        assertThat(reconciler.shop.notification("SMALL-1")).containsEntry("status", "sent");
        List<MimeMessage> bigMail = Arrays.stream(SMTP.getReceivedMessages())
                .filter(m -> subjectOf("BIG-1").equals(ShopUnderTest.subject(m)))
                .toList();
        assertThat(bigMail).hasSize(1);
        String body = GreenMailUtil.getBody(bigMail.get(0));
        assertThat(body.length()).isLessThan(1_000_000);
        assertThat(body)
                .contains("1 of 10001 course(s) are ready")
                .contains("Failed course 199")
                .doesNotContainPattern("Failed course 200\\s")
                .contains("9801 more course(s): 0 ready, 9801 not delivered");
    }
}
