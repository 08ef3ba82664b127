package shop.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.annotation.Autowired;
import shop.reconciler.mail.SendCounters;
import shop.reconciler.mail.SendTimes;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.reconcile.ReconcileCounters;
import shop.reconciler.support.JobIntegrationTestSupport;

/**
 * Every rule of completing orders and queueing their emails, as the database and the SMTP server see it. An order whose
 * write the database refuses fails the step here ({@code reconciler.max-write-failures=0}), for the
 * restart test; {@code WriteFailureIsolationIntegrationTest} covers the default.
 */
@org.springframework.test.context.TestPropertySource(properties = "reconciler.max-write-failures=0")
class OrderCompletionJobIntegrationTest extends JobIntegrationTestSupport {

    @Autowired
    private NotificationStore notificationStore;

    @org.springframework.beans.factory.annotation.Autowired
    private com.zaxxer.hikari.HikariDataSource dataSource;

    @Test
    void completesOneCourseOrderAndEmailsItsBuyerOnce() throws Exception {
        // given
        SHOP.processingOrder("DH123456", "buyer@example.com", "completed");

        // when
        JobExecution execution = runJob();

        // then
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(SHOP.orderStatus("DH123456")).isEqualTo("completed");
        assertThat(SHOP.notification("DH123456"))
                .containsEntry("status", "sent")
                .containsEntry("attempts", 1);
        assertThat(received()).hasSize(1);
        assertThat(received()[0].getAllRecipients()[0].toString()).isEqualTo("buyer@example.com");
        // where the email's time went, for the step's log line: the SMTP conversation and the record
        var sendContext = sendStep(execution).getExecutionContext();
        assertThat(StepCounters.get(sendContext, SendTimes.SMTP_MICROS)).isPositive();
        assertThat(StepCounters.get(sendContext, SendTimes.RECORD_MICROS)).isPositive();
    }

    @Test
    void completesThreeCourseOrderOnlyWhenItsThirdTaskFinishes() throws Exception {
        // given
        long orderId = SHOP.processingOrder("DH200003", "three@example.com", "completed", "completed");
        long third = SHOP.task(orderId, "Course 3", "processing");

        // when two of three tasks are done
        runJob();

        // then
        assertThat(SHOP.orderStatus("DH200003")).isEqualTo("processing");
        assertThat(SHOP.notification("DH200003")).isNull();
        assertThat(received()).isEmpty();

        // when the third finishes
        SHOP.setTaskStatus(third, "completed");
        runJob();

        // then
        assertThat(SHOP.orderStatus("DH200003")).isEqualTo("completed");
        assertThat(received()).hasSize(1);
        assertThat(body(received()[0])).contains("3 of 3 course(s) are ready");
    }

    @Test
    void completesOrderWhenOneOfItsTasksFailed() throws Exception {
        // given
        SHOP.processingOrder("DH300001", "mixed@example.com", "completed", "failed");

        // when
        runJob();

        // then
        assertThat(SHOP.orderStatus("DH300001")).isEqualTo("completed");
        assertThat(received()).hasSize(1);
        String body = body(received()[0]);
        assertThat(body).contains("Course 1 of DH300001").contains("Ready: https://drive.example.com/");
        assertThat(body)
                .contains("Course 2 of DH300001")
                .contains("Not delivered: enrolment refused by the course site");
    }

    @Test
    void leavesProcessingOrderWithoutTasksAloneAndCountsItAsAnomaly() {
        // given
        SHOP.order("DH400000", "empty@example.com", "processing");

        // when
        JobExecution execution = runJob();

        // then
        assertThat(SHOP.orderStatus("DH400000")).isEqualTo("processing");
        assertThat(SHOP.notification("DH400000")).isNull();
        assertThat(ReconcileCounters.ALL).contains(ReconcileCounters.ANOMALIES);
        assertThat(StepCounters.get(reconcileStep(execution).getExecutionContext(), ReconcileCounters.ANOMALIES))
                .isEqualTo(1);
        assertThat(received()).isEmpty();
    }

    @Test
    void neverTouchesOrdersThatAreNotProcessing() {
        // given: finished tasks, but the order is in another state
        for (String status : List.of("pending", "completed", "failed")) {
            long id = SHOP.order("DH5-" + status, "other@example.com", status);
            SHOP.task(id, "Course of " + status, "completed");
        }
        List<Map<String, Object>> before = SHOP.jdbc().queryForList("SELECT * FROM orders ORDER BY id");

        // when
        runJob();

        // then
        assertThat(SHOP.jdbc().queryForList("SELECT * FROM orders ORDER BY id")).isEqualTo(before);
        assertThat(SHOP.count("SELECT COUNT(*) FROM order_notifications")).isZero();
        assertThat(received()).isEmpty();
    }

    @Test
    void ignoresTasksWithoutAnOrderAndKeepsOrdersWithNonTerminalTasksOpen() {
        // given
        SHOP.task(null, "Orphan course", "completed");
        SHOP.processingOrder("DH600001", "open@example.com", "completed", "enrolled");
        SHOP.processingOrder("DH600002", "open@example.com", "pending");

        // when
        JobExecution execution = runJob();

        // then
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(SHOP.orderStatus("DH600001")).isEqualTo("processing");
        assertThat(SHOP.orderStatus("DH600002")).isEqualTo("processing");
        assertThat(SHOP.count("SELECT COUNT(*) FROM download_tasks WHERE order_id IS NULL"))
                .isEqualTo(1);
        assertThat(SHOP.count("SELECT COUNT(*) FROM order_notifications")).isZero();
    }

    @Test
    void completesOrdersWithMissingOrInvalidRecipientWithoutTryingToSend() {
        // given
        SHOP.processingOrder("DH700001", null, "completed");
        SHOP.processingOrder("DH700002", "   ", "completed");
        SHOP.processingOrder("DH700003", "no-at-sign.example.com", "completed");
        SHOP.processingOrder("DH700004", "evil@example.com\r\nBcc: victim@example.com", "completed");

        // when
        runJob();

        // then
        for (String code : List.of("DH700001", "DH700002", "DH700003", "DH700004")) {
            assertThat(SHOP.orderStatus(code)).describedAs(code).isEqualTo("completed");
            Map<String, Object> notification = SHOP.notification(code);
            assertThat(notification)
                    .describedAs(code)
                    .containsEntry("status", "failed")
                    .containsEntry("attempts", 0);
            assertThat((String) notification.get("last_error"))
                    .describedAs(code)
                    .isNotBlank();
        }
        assertThat(received()).isEmpty();
    }

    @Test
    void backlogRowsAreCopiedWithoutAMessageIdWhichARequeueGivesThem() {
        // given: three backlog orders (a code escaped in the Message-ID, an address with spaces)
        long plain = SHOP.processingOrder("DH810001", "plain@example.com", "completed");
        long escaped = SHOP.processingOrder("DH 81/2", "escaped@example.com", "completed");
        long padded = SHOP.processingOrder("DH810003", "  padded@example.com ", "completed");
        SHOP.ageTasks(plain, 30);
        SHOP.ageTasks(escaped, 30);
        SHOP.ageTasks(padded, 30);

        // when
        JobExecution execution = runJob();

        // then: skipped, no email, and no Message-ID (none is ever sent for them)
        for (String code : List.of("DH810001", "DH 81/2", "DH810003")) {
            assertThat(SHOP.orderStatus(code)).isEqualTo("completed");
            assertThat(SHOP.notification(code))
                    .containsEntry("status", "skipped")
                    .containsEntry("attempts", 0)
                    .containsEntry("last_error", "newest task older than reconciler.mail.max-age (7d)")
                    .containsEntry("message_id", null)
                    .containsEntry("job_execution_id", execution.getId());
        }
        assertThat(SHOP.notification("DH810001")).containsEntry("recipient", "plain@example.com");
        assertThat(SHOP.notification("DH810003")).containsEntry("recipient", "  padded@example.com ");
        assertThat(received()).isEmpty();

        // when: an operator queues two of them again
        for (String code : List.of("DH 81/2", "DH810003")) {
            long id = ((Number) SHOP.notification(code).get("id")).longValue();
            String address = code.equals("DH810003") ? "padded@example.com" : "escaped@example.com";
            assertThat(notificationStore.requeue(id, code, NotificationStatus.SKIPPED, address, false, 10))
                    .isTrue();
        }

        // then: they have their stable Message-ID before any delivery, and the next run sends them with it
        assertThat(SHOP.notification("DH 81/2"))
                .containsEntry("status", "queued")
                .containsEntry("message_id", "<order-DH.2081.2F2@order-reconciler.local>");
        assertThat(SHOP.notification("DH810003"))
                .containsEntry("recipient", "padded@example.com")
                .containsEntry("message_id", "<order-DH810003@order-reconciler.local>");
        runJob();
        assertThat(received()).hasSize(2);
        assertThat(SHOP.notification("DH 81/2")).containsEntry("status", "sent");
        assertThat(SHOP.notification("DH810001")).containsEntry("status", "skipped");
    }

    @Test
    void completesBacklogOrderQuietlyWithSkippedNotification() throws Exception {
        // given: its newest task changed 30 days ago, default max-age is 7 days
        long id = SHOP.processingOrder("DH800001", "old@example.com", "completed", "failed");
        SHOP.ageTasks(id, 30);
        long recent = SHOP.processingOrder("DH800002", "recent@example.com", "completed");
        SHOP.ageTasks(recent, 6);

        // when
        runJob();

        // then
        assertThat(SHOP.orderStatus("DH800001")).isEqualTo("completed");
        assertThat(SHOP.notification("DH800001")).containsEntry("status", "skipped");
        assertThat(SHOP.notification("DH800002")).containsEntry("status", "sent");
        assertThat(received()).hasSize(1);
        assertThat(received()[0].getSubject()).contains("DH800002");
    }

    @Test
    void unknownTaskStatusesOnAVarcharShopKeepOrdersOpenAndAreCounted() {
        // given: a shop whose status column is a VARCHAR holding values the contract does not know
        SHOP.jdbc().execute("ALTER TABLE download_tasks MODIFY status VARCHAR(32) NOT NULL DEFAULT 'pending'");
        try {
            long weird = SHOP.processingOrder("DH-V1", "v1@example.com", "completed");
            SHOP.task(weird, "Odd course", "weird");
            long padded = SHOP.processingOrder("DH-V2", "v2@example.com", "completed");
            SHOP.task(padded, "Shouting course", "COMPLETED ");
            SHOP.processingOrder("DH-V3", "v3@example.com", "completed", "failed");

            // when
            JobExecution execution = runJob();

            // then
            assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
            assertThat(SHOP.orderStatus("DH-V1")).isEqualTo("processing");
            assertThat(SHOP.orderStatus("DH-V2")).isEqualTo("processing");
            assertThat(SHOP.orderStatus("DH-V3")).isEqualTo("completed");
            assertThat(StepCounters.get(
                            reconcileStep(execution).getExecutionContext(), ReconcileCounters.UNKNOWN_STATUS))
                    .isEqualTo(2);
            assertThat(received()).hasSize(1);
        } finally {
            SHOP.jdbc().execute("DELETE FROM download_tasks");
            SHOP.jdbc()
                    .execute(
                            "ALTER TABLE download_tasks MODIFY status"
                                    + " ENUM('pending','processing','enrolled','completed','failed') NOT NULL DEFAULT 'pending'");
        }
    }

    @Test
    void chunkBlockedByTheShopsLocksIsRetriedAndTheRunCompletes() throws Exception {
        // given: the shop holds a lock on an order longer than the server's lock wait timeout
        SHOP.processingOrder("DH-L1", "l1@example.com", "completed");
        SHOP.processingOrder("DH-L2", "l2@example.com", "completed");
        javax.sql.DataSource shopSide = DATABASE.dataSource();
        java.util.concurrent.CountDownLatch locked = new java.util.concurrent.CountDownLatch(1);
        Thread webhook = new Thread(() -> {
            try (java.sql.Connection c = shopSide.getConnection()) {
                c.setAutoCommit(false);
                c.createStatement().execute("SET SESSION innodb_lock_wait_timeout = 50");
                c.createStatement()
                        .executeQuery("SELECT id FROM orders WHERE order_code = 'DH-L1' FOR UPDATE")
                        .close();
                locked.countDown();
                Thread.sleep(2_500);
                c.commit();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        SHOP.jdbc().execute("SET GLOBAL innodb_lock_wait_timeout = 1");
        try {
            webhook.start();
            locked.await();

            // when
            JobExecution execution = runJobOnFreshConnections();

            // then
            assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
            assertThat(reconcileStep(execution).getRollbackCount()).isGreaterThanOrEqualTo(1);
            assertThat(SHOP.orderStatus("DH-L1")).isEqualTo("completed");
            assertThat(SHOP.orderStatus("DH-L2")).isEqualTo("completed");
            assertThat(SHOP.count("SELECT COUNT(*) FROM order_notifications")).isEqualTo(2);
            assertThat(received()).hasSize(2);
        } finally {
            SHOP.jdbc().execute("SET GLOBAL innodb_lock_wait_timeout = 50");
            webhook.join();
        }
    }

    @Test
    void secondRunChangesNothingAndSendsNothing() {
        // given: a mixed shop, already reconciled once
        for (int i = 0; i < 12; i++) {
            SHOP.processingOrder("DH9000" + i, "buyer" + i + "@example.com", i % 3 == 0 ? "processing" : "completed");
        }
        runJob();
        List<Map<String, Object>> orders = SHOP.jdbc().queryForList("SELECT * FROM orders ORDER BY id");
        List<Map<String, Object>> notifications =
                SHOP.jdbc().queryForList("SELECT * FROM order_notifications ORDER BY id");
        int mails = received().length;

        // when
        JobExecution second = runJob();

        // then
        assertThat(mails).isEqualTo(8);
        assertThat(second.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(SHOP.jdbc().queryForList("SELECT * FROM orders ORDER BY id")).isEqualTo(orders);
        assertThat(SHOP.jdbc().queryForList("SELECT * FROM order_notifications ORDER BY id"))
                .isEqualTo(notifications);
        assertThat(received()).hasSize(8);
        assertThat(StepCounters.get(reconcileStep(second).getExecutionContext(), ReconcileCounters.COMPLETED))
                .isZero();
    }

    @Test
    void completesOrderOf500CoursesWithOneBoundedEmail() throws Exception {
        // given
        String[] statuses = new String[500];
        Arrays.fill(statuses, "completed");
        statuses[499] = "failed";
        SHOP.processingOrder("DH500500", "bulk@example.com", statuses);

        // when
        runJob();

        // then
        assertThat(SHOP.orderStatus("DH500500")).isEqualTo("completed");
        assertThat(received()).hasSize(1);
        String body = body(received()[0]);
        assertThat(body).contains("499 of 500 course(s) are ready");
        assertThat(body).contains("Course 200 of DH500500").doesNotContain("Course 201 of DH500500");
        assertThat(body).contains("... and 300 more course(s): 299 ready, 1 not delivered");
        assertThat(body.length()).isLessThan(60_000);
    }

    @Test
    void emailCarriesOrderCodeStableMessageIdAndEveryCourse() throws Exception {
        // given
        long id = SHOP.order("DH-MAIL-1", "Jane Buyer <jane@example.com>", "processing");
        SHOP.task(id, "Kafka\r\nBcc: victim@example.com", "completed");
        SHOP.task(id, null, "failed");

        // when
        runJob();

        // then
        assertThat(received()).hasSize(1);
        MimeMessage mail = received()[0];
        assertThat(mail.getSubject()).isEqualTo("Your order DH-MAIL-1 is complete");
        assertThat(mail.getMessageID()).isEqualTo("<order-DH-MAIL-1@order-reconciler.local>");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("orders@example.com");
        assertThat(mail.getRecipients(Message.RecipientType.TO))
                .extracting(Object::toString)
                .containsExactly("jane@example.com");
        assertThat(mail.getRecipients(Message.RecipientType.BCC)).isNull();
        assertThat(mail.getContentType()).contains("text/plain").containsIgnoringCase("utf-8");
        String body = body(mail);
        assertThat(body).contains("* Kafka Bcc: victim@example.com").contains("Ready: https://drive.example.com/");
        assertThat(body).contains("* https://courses.example.com/").contains("Not delivered: enrolment refused");
        assertThat(SHOP.notification("DH-MAIL-1"))
                .containsEntry("message_id", "<order-DH-MAIL-1@order-reconciler.local>");
    }

    @Test
    void restartOfFailedExecutionResumesAfterLastCommittedChunk() throws Exception {
        // given: 20 orders in chunks of 5, two partitions of 10 (the default); a still-open order in
        // the first; the database refuses DH-R13, in the second partition's first chunk
        for (int i = 1; i <= 20; i++) {
            SHOP.processingOrder(
                    String.format("DH-R%02d", i), "r" + i + "@example.com", i == 2 ? "processing" : "completed");
        }
        JobExecution failed = runJobRefusingNotificationOf("DH-R13");
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(SHOP.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'"))
                .isEqualTo(9);
        assertThat(SHOP.orderStatus("DH-R13")).isEqualTo("processing");
        // the send step ran after the failed reconcile step: the 9 completed orders' emails went out
        assertThat(sendStep(failed).getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(received()).hasSize(9);

        // when
        JobExecution restarted = jobOperator.restart(failed);

        // then: same instance; only the second partition ran again, its 10 orders (the open DH-R02
        // of the first partition is not read again)
        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
        assertThat(reconcileStep(restarted).getReadCount()).isEqualTo(10);
        assertThat(SHOP.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'"))
                .isEqualTo(19);
        assertThat(SHOP.orderStatus("DH-R02")).isEqualTo("processing");
        assertThat(SHOP.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'"))
                .isEqualTo(19);
        assertThat(received()).hasSize(19);
        assertThat(distinctSubjects()).hasSize(19);
        // the restart's send step sent the other 10 (the first 9 went out after the failed run)
        assertThat(StepCounters.get(sendStep(restarted).getExecutionContext(), SendCounters.SENT))
                .isEqualTo(10);
    }

    /** The pool's connections keep the session lock wait timeout they were opened with. */
    private JobExecution runJobOnFreshConnections() {
        dataSource.getHikariPoolMXBean().softEvictConnections();
        return runJob();
    }

    private static StepExecution reconcileStep(JobExecution execution) {
        return step(execution, "reconcile");
    }

    private static StepExecution sendStep(JobExecution execution) {
        return step(execution, "send");
    }

    private static String body(MimeMessage message) throws Exception {
        return ((String) message.getContent()).replace("\r\n", "\n");
    }
}
