package shop.reconciler.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.stereotype.Component;
import shop.reconciler.StepCounters;
import shop.reconciler.lease.JobLease;
import shop.reconciler.mail.SendCounters;
import shop.reconciler.mail.SendStepConfiguration;
import shop.reconciler.reconcile.OrderCompletionJobConfiguration;
import shop.reconciler.reconcile.ReconcileCounters;

/**
 * The reconciler's own metrics, next to Spring Batch's ({@code spring_batch_job_*},
 * {@code spring_batch_step_*}), updated when each execution ends:
 *
 * <ul>
 *   <li>{@code reconciler_orders_completed_total}
 *   <li>{@code reconciler_notifications_total{outcome=queued|skipped|no_recipient|sent|refused|failed|retry_later}}
 *   <li>{@code reconciler_anomalies}: processing orders without tasks seen by the last run
 *   <li>{@code reconciler_lease_held}: 1 while this process holds the lease
 *   <li>{@code reconciler_last_success_timestamp_seconds}: end of the last completed execution
 * </ul>
 */
@Component
public class ReconcilerMetrics implements JobExecutionListener {

    private final MeterRegistry registry;
    private final Counter ordersCompleted;
    private final AtomicLong anomalies = new AtomicLong();
    private final AtomicLong lastSuccessEpochSecond = new AtomicLong();

    public ReconcilerMetrics(MeterRegistry registry, JobLease lease) {
        this.registry = registry;
        this.ordersCompleted = Counter.builder("reconciler.orders.completed")
                .description("Orders moved from processing to completed")
                .register(registry);
        Gauge.builder("reconciler.anomalies", anomalies, AtomicLong::get)
                .description("Processing orders without any task, seen by the last run")
                .register(registry);
        Gauge.builder("reconciler.lease.held", lease, l -> l.isHeldHere() ? 1 : 0)
                .description("1 while this process holds the job's lease")
                .register(registry);
        Gauge.builder("reconciler.last.success.timestamp", lastSuccessEpochSecond, AtomicLong::get)
                .description("When the last completed execution ended (epoch seconds)")
                .baseUnit("seconds")
                .register(registry);
    }

    @Override
    public void afterJob(JobExecution execution) {
        for (StepExecution step : execution.getStepExecutions()) {
            var context = step.getExecutionContext();
            if (step.getStepName().equals(OrderCompletionJobConfiguration.STEP_NAME)) {
                ordersCompleted.increment(StepCounters.get(context, ReconcileCounters.COMPLETED));
                anomalies.set(StepCounters.get(context, ReconcileCounters.ANOMALIES));
                notifications("queued", StepCounters.get(context, ReconcileCounters.QUEUED));
                notifications("skipped", StepCounters.get(context, ReconcileCounters.SKIPPED));
                notifications("no_recipient", StepCounters.get(context, ReconcileCounters.NO_RECIPIENT));
            } else if (step.getStepName().equals(SendStepConfiguration.STEP_NAME)) {
                for (Map.Entry<String, Long> entry : Map.of(
                                "sent", StepCounters.get(context, SendCounters.SENT),
                                "refused", StepCounters.get(context, SendCounters.REFUSED),
                                "failed", StepCounters.get(context, SendCounters.FAILED),
                                "retry_later", StepCounters.get(context, SendCounters.RETRY_LATER))
                        .entrySet()) {
                    notifications(entry.getKey(), entry.getValue());
                }
            }
        }
        if (execution.getStatus() == BatchStatus.COMPLETED) {
            lastSuccessEpochSecond.set(System.currentTimeMillis() / 1000);
        }
    }

    private void notifications(String outcome, long amount) {
        Counter.builder("reconciler.notifications")
                .description("Notifications by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment(amount);
    }
}
