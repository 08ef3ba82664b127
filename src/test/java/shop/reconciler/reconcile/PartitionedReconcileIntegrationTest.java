package shop.reconciler.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.test.context.TestPropertySource;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.support.JobIntegrationTestSupport;

/** {@code reconciler.partitions=2}: the same outcome as one step, in two id ranges at once. */
@TestPropertySource(properties = {"reconciler.partitions=2", "reconciler.max-write-failures=0"})
class PartitionedReconcileIntegrationTest extends JobIntegrationTestSupport {

    @Test
    void twoPartitionsCompleteExactlyTheFinishedOrdersAndReportTheTotals() throws Exception {
        // given: 30 processing orders over both halves: 20 finished, 6 open, 2 without tasks,
        // 2 finished long ago (no email); and one completed order that must stay untouched
        for (int i = 1; i <= 30; i++) {
            String code = String.format("DH-P%02d", i);
            if (i % 5 == 0) {
                SHOP.processingOrder(code, "p" + i + "@example.com", "completed", "processing");
            } else if (i == 7 || i == 23) {
                SHOP.order(code, "p" + i + "@example.com", "processing");
            } else {
                long id = SHOP.processingOrder(code, "p" + i + "@example.com", "completed", "failed");
                if (i == 3 || i == 28) {
                    SHOP.ageTasks(id, 60);
                }
            }
        }
        SHOP.order("DH-DONE", "done@example.com", "completed");

        // when
        JobExecution execution = runJob();

        // then: the database
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(SHOP.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'"))
                .isEqualTo(22 + 1);
        for (int i = 5; i <= 30; i += 5) {
            assertThat(SHOP.orderStatus(String.format("DH-P%02d", i))).isEqualTo("processing");
        }
        assertThat(SHOP.orderStatus("DH-P07")).isEqualTo("processing");
        assertThat(SHOP.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'"))
                .isEqualTo(20);
        assertThat(SHOP.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'skipped'"))
                .isEqualTo(2);
        assertThat(SHOP.notification("DH-DONE")).isNull();
        // the SMTP server: one email per finished recent order, none twice
        assertThat(received()).hasSize(20);
        assertThat(distinctSubjects()).hasSize(20);

        // the job repository: two partitions, each read its own half, and the step totals
        List<StepExecution> partitions = partitions(execution);
        assertThat(partitions).hasSize(2);
        assertThat(partitions).allSatisfy(p -> {
            assertThat(p.getStatus()).isEqualTo(BatchStatus.COMPLETED);
            assertThat(p.getReadCount()).isEqualTo(15);
        });
        StepExecution reconcile = step(execution, OrderCompletionJobConfiguration.STEP_NAME);
        assertThat(reconcile.getReadCount()).isEqualTo(30);
        assertThat(reconcile.getWriteCount()).isEqualTo(22);
        assertThat(StepCounters.all(reconcile.getExecutionContext(), ReconcileCounters.ALL))
                .containsEntry("completed", 22L)
                .containsEntry("stillOpen", 6L)
                .containsEntry("anomalies", 2L)
                .containsEntry("notificationsQueued", 20L)
                .containsEntry("notificationsSkipped", 2L);

        // and a second run finds nothing to do
        JobExecution second = runJob();
        assertThat(step(second, OrderCompletionJobConfiguration.STEP_NAME).getWriteCount())
                .isZero();
        assertThat(received()).hasSize(20);
    }

    @Test
    void restartRunsOnlyTheFailedPartitionFromItsLastCommittedChunk() throws Exception {
        // given: 20 finished orders, chunks of 5, two partitions of 10; the database refuses the
        // notification of DH-Q18 (second partition, its second chunk)
        for (int i = 1; i <= 20; i++) {
            SHOP.processingOrder(String.format("DH-Q%02d", i), "q" + i + "@example.com", "completed");
        }
        JobExecution failed = runJobRefusingNotificationOf("DH-Q18");
        assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(partitions(failed))
                .extracting(StepExecution::getStatus)
                .containsExactly(BatchStatus.COMPLETED, BatchStatus.FAILED);
        assertThat(SHOP.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'"))
                .isEqualTo(15);
        assertThat(SHOP.orderStatus("DH-Q18")).isEqualTo("processing");
        // the send step still ran: the 15 completed orders' emails are not held back
        assertThat(received()).hasSize(15);

        // when
        JobExecution restarted = jobOperator.restart(failed);

        // then: same instance; only the second partition ran again, from its 16th order
        assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(restarted.getJobInstanceId()).isEqualTo(failed.getJobInstanceId());
        List<StepExecution> rerun = partitions(restarted);
        assertThat(rerun).hasSize(1);
        assertThat(rerun.get(0).getStepName())
                .isEqualTo(partitions(failed).get(1).getStepName());
        assertThat(rerun.get(0).getReadCount()).isEqualTo(5);
        assertThat(SHOP.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'"))
                .isEqualTo(20);
        assertThat(SHOP.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'"))
                .isEqualTo(20);
        assertThat(received()).hasSize(20);
        assertThat(distinctSubjects()).hasSize(20);
    }

    @Test
    void fewerOrdersThanPartitionsLeavesARangeEmptyAndCompletesTheOrder() throws Exception {
        // given
        SHOP.processingOrder("DH-SOLO", "solo@example.com", "completed");

        // when
        JobExecution execution = runJob();

        // then
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(SHOP.orderStatus("DH-SOLO")).isEqualTo("completed");
        assertThat(received()).hasSize(1);
        assertThat(partitions(execution))
                .extracting(StepExecution::getReadCount)
                .containsExactlyInAnyOrder(1L, 0L);
    }

    private static List<StepExecution> partitions(JobExecution execution) {
        return execution.getStepExecutions().stream()
                .filter(s -> s.getStepName().startsWith(OrderCompletionJobConfiguration.PARTITION_STEP_NAME + ":"))
                .sorted(Comparator.comparing(StepExecution::getStepName))
                .toList();
    }
}
