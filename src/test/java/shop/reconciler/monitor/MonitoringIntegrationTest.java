package shop.reconciler.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import shop.reconciler.support.JobIntegrationTestSupport;

/** What monitoring reads: the reconciler's health indicator and its metrics. */
class MonitoringIntegrationTest extends JobIntegrationTestSupport {

    @Autowired
    private ReconcilerHealthIndicator health;

    @Autowired
    private MeterRegistry meters;

    @Test
    void healthIsUpAfterACompletedRunAndDownWhileADeliveryHasFailed() {
        // given
        SHOP.processingOrder("MON-1", "mon1@example.com", "completed");
        assertThat(runJob().getStatus()).isEqualTo(BatchStatus.COMPLETED);

        // then
        Health up = health.health(true);
        assertThat(up.getStatus()).isEqualTo(Status.UP);
        assertThat(up.getDetails()).containsKey("lastCompletedRun").containsEntry("undeliveredNotifications", 0L);
        assertThat(up.getDetails()).containsKey("stuckOrders");

        // when a delivery failed for good
        SHOP.jdbc().update("UPDATE order_notifications SET status = 'failed', attempts = 10, last_error = '550 no'");

        // then
        Health down = health.health(true);
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails()).containsEntry("undeliveredNotifications", 1L);
    }

    @Test
    void failedRecipientIsNotAHealthProblem() {
        // given
        SHOP.processingOrder("MON-2", null, "completed");

        // when
        runJob();

        // then
        assertThat(SHOP.notification("MON-2")).containsEntry("status", "failed");
        assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void metricsCountCompletedOrdersNotificationsAndAnomalies() {
        // given
        double completedBefore = meters.counter("reconciler.orders.completed").count();
        double sentBefore =
                meters.counter("reconciler.notifications", "outcome", "sent").count();
        SHOP.processingOrder("MON-3", "mon3@example.com", "completed");
        SHOP.processingOrder("MON-4", "mon4@example.com", "completed", "failed");
        SHOP.order("MON-5", "mon5@example.com", "processing");

        // when
        runJob();

        // then
        assertThat(meters.counter("reconciler.orders.completed").count() - completedBefore)
                .isEqualTo(2);
        assertThat(meters.counter("reconciler.notifications", "outcome", "sent").count() - sentBefore)
                .isEqualTo(2);
        assertThat(meters.get("reconciler.anomalies").gauge().value()).isEqualTo(1);
        assertThat(meters.get("reconciler.lease.held").gauge().value()).isZero();
        assertThat(meters.get("reconciler.last.success.timestamp").gauge().value())
                .isGreaterThan(0);
    }
}
