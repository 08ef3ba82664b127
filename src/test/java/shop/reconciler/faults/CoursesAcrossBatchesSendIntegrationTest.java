package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.internet.MimeMessage;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;

/**
 * A chunk whose courses are read in several batches, sent over several connections: around a
 * batch's end some connections compose from it while others compose from the next, and every
 * email still lists each of its order's courses.
 */
class CoursesAcrossBatchesSendIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final int ORDERS = 600;
    private static final int COURSES = 12;

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void everyEmailListsEachOfItsCoursesWhenTheChunksCoursesTakeSeveralBatches() throws Exception {
        // given: 600 finished orders of 12 courses each (7,200 listed rows, batches of 2,000), four connections
        ShopUnderTest reconciler =
                new ShopUnderTest("batches").smtpPort(SMTP.getSmtp().getPort()).with("reconciler.mail.connections", 4);
        assertThat(reconciler.cli("status").exit()).isZero();
        reconciler.shop.jdbc().update("""
                INSERT INTO orders (order_code, user_email, payment_status, order_status)
                WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                SELECT CONCAT('B-', i), CONCAT('b', i, '@example.com'), 'paid', 'processing' FROM n
                """, ORDERS);
        reconciler.shop.jdbc().update("""
                INSERT INTO download_tasks (order_id, email, course_title, course_url, status, drive_link)
                WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                SELECT o.id, o.user_email, CONCAT('Course ', n.i, ' of ', o.order_code),
                       CONCAT('https://courses.example.com/', o.id, '/', n.i), 'completed',
                       CONCAT('https://drive.example.com/', o.id, '/', n.i)
                  FROM orders o CROSS JOIN n
                 WHERE o.order_code LIKE 'B-%'
                """, COURSES);

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then: one email per order, each listing its own twelve courses and no other order's
        assertThat(run.exit()).describedAs(run.toString()).isZero();
        reconciler.assertEveryNotificationSent(ORDERS);
        Map<String, String> bodies = new HashMap<>();
        for (MimeMessage message : SMTP.getReceivedMessages()) {
            String code = message.getSubject().replaceAll(".*\\b(B-\\d+)\\b.*", "$1");
            assertThat(bodies.put(code, (String) message.getContent()))
                    .describedAs("a second email for %s", code)
                    .isNull();
        }
        assertThat(bodies).hasSize(ORDERS);
        bodies.forEach((code, body) -> {
            for (int course = 1; course <= COURSES; course++) {
                assertThat(body)
                        .describedAs("the email of %s", code)
                        .containsPattern("Course " + course + " of " + code + "\\b");
            }
            assertThat(body)
                    .describedAs("the email of %s", code)
                    .doesNotContainPattern("of B-(?!" + code.substring(2) + "\\b)");
        });
    }
}
