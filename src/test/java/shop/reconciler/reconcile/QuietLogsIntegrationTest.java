package shop.reconciler.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.support.JobIntegrationTestSupport;

/**
 * Per-order conditions are one summary line per step, with the count and the first few codes,
 * whatever their number: never one line per order per run.
 */
@ExtendWith(OutputCaptureExtension.class)
class QuietLogsIntegrationTest extends JobIntegrationTestSupport {

    @Test
    void manyAnomaliesAndMissingRecipientsAreOneSummaryLineEachPerRun(CapturedOutput output) {
        // given: 30 processing orders without tasks, 12 finished orders without an address
        for (int i = 1; i <= 30; i++) {
            SHOP.order(String.format("QL-ANOMALY-%02d", i), "a" + i + "@example.com", "processing");
        }
        for (int i = 1; i <= 12; i++) {
            SHOP.processingOrder(String.format("QL-NOMAIL-%02d", i), null, "completed");
        }
        int before = output.getAll().length();

        // when
        JobExecution execution = runJob();

        // then: counted as before
        assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        var context = step(execution, OrderCompletionJobConfiguration.STEP_NAME).getExecutionContext();
        assertThat(StepCounters.get(context, ReconcileCounters.ANOMALIES)).isEqualTo(30);
        assertThat(StepCounters.get(context, ReconcileCounters.NO_RECIPIENT)).isEqualTo(12);
        // and logged as one line per condition, with the first five codes
        List<String> lines = output.getAll().substring(before).lines().toList();
        List<String> anomalyLines =
                lines.stream().filter(l -> l.contains("QL-ANOMALY-")).toList();
        assertThat(anomalyLines)
                .singleElement()
                .asString()
                .contains("reconcile: 30 processing order(s) without any task");
        assertThat(anomalyLines.get(0).split("QL-ANOMALY-", -1)).hasSize(1 + OrderConditions.EXAMPLES);
        List<String> noMailLines =
                lines.stream().filter(l -> l.contains("QL-NOMAIL-")).toList();
        assertThat(noMailLines)
                .singleElement()
                .asString()
                .contains("reconcile: 12 order(s) completed without a usable recipient");
        assertThat(noMailLines.get(0).split("QL-NOMAIL-", -1)).hasSize(1 + OrderConditions.EXAMPLES);

        // when: the next run meets the anomalies again
        int second = output.getAll().length();
        runJob();

        // then: again one line
        assertThat(output.getAll().substring(second).lines().filter(l -> l.contains("QL-ANOMALY-")))
                .singleElement()
                .asString()
                .contains("reconcile: 30 processing order(s)");
    }
}
