package shop.reconciler.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.stereotype.Component;
import shop.reconciler.history.JobHistory;
import shop.reconciler.lease.JobLease;
import shop.reconciler.mail.SendCounters;
import shop.reconciler.mail.SendStepConfiguration;
import shop.reconciler.progress.StepCounters;
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
 *   <li>{@code reconciler_last_success_timestamp_seconds}: end of the last completed execution, by
 *       this process or, until this process completed one, as the job repository records it (so
 *       that a new {@code serve}, and a {@code run} that failed or found the lease held, push and
 *       show the truth; 0 when none ever completed)
 * </ul>
 */
@Component
public class ReconcilerMetrics implements JobExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(ReconcilerMetrics.class);

    private final MeterRegistry registry;
    private final JobHistory history;
    private final Counter ordersCompleted;
    private final AtomicLong anomalies = new AtomicLong();
    /** Epoch seconds; 0 until known (this process completed an execution, or the repository answered). */
    private final AtomicLong lastSuccessEpochSecond = new AtomicLong();

    private volatile boolean lastSuccessKnown;

    public ReconcilerMetrics(MeterRegistry registry, JobLease lease, JobHistory history) {
        this.registry = registry;
        this.history = history;
        this.ordersCompleted = Counter.builder("reconciler.orders.completed")
                .description("Orders moved from processing to completed")
                .register(registry);
        Gauge.builder("reconciler.anomalies", anomalies, AtomicLong::get)
                .description("Processing orders without any task, seen by the last run")
                .register(registry);
        Gauge.builder("reconciler.lease.held", lease, l -> l.isHeldHere() ? 1 : 0)
                .description("1 while this process holds the job's lease")
                .register(registry);
        Gauge.builder("reconciler.last.success.timestamp", this, ReconcilerMetrics::lastSuccessEpochSecond)
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
            lastSuccessKnown = true;
        }
    }

    /**
     * Read when the gauge is read (a scrape, a push), never at start-up: the job repository is
     * asked once, and again after a failed read (the first push may come before the migrations).
     */
    private double lastSuccessEpochSecond() {
        if (!lastSuccessKnown) {
            try {
                history.lastCompletedEnd(OrderCompletionJobConfiguration.JOB_NAME)
                        .map(Instant::getEpochSecond)
                        .ifPresent(end -> lastSuccessEpochSecond.accumulateAndGet(end, Math::max));
                lastSuccessKnown = true;
            } catch (RuntimeException e) {
                log.debug("last completed execution not read: {}", e.getMessage());
            }
        }
        return lastSuccessEpochSecond.get();
    }

    private void notifications(String outcome, long amount) {
        Counter.builder("reconciler.notifications")
                .description("Notifications by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment(amount);
    }
}
