package shop.reconciler.reconcile;

import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import shop.reconciler.StepCounters;

/** Logs the reconcile step's progress at most every few seconds, and its totals at the end. */
class ReconcileProgressListener implements StepExecutionListener, ChunkListener<OrderTally, OrderTally> {

    private static final Logger log = LoggerFactory.getLogger(ReconcileProgressListener.class);
    private static final Duration EVERY = Duration.ofSeconds(5);

    private Instant started = Instant.now();
    private Instant lastLog = Instant.now();

    @Override
    public void beforeStep(StepExecution stepExecution) {
        started = Instant.now();
        lastLog = started;
        long resumeAfter = stepExecution.getExecutionContext().getLong(ProcessingOrderReader.LAST_ORDER_ID, 0L);
        if (resumeAfter > 0) {
            log.info("reconcile: resuming after order id {}", resumeAfter);
        }
    }

    @Override
    public void afterChunk(ChunkContext context) {
        Instant now = Instant.now();
        if (Duration.between(lastLog, now).compareTo(EVERY) >= 0) {
            lastLog = now;
            log.info("reconcile: {}", line(context.getStepContext().getStepExecution(), now));
        }
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        log.info(
                "reconcile {}: {}",
                stepExecution.getStatus().toString().toLowerCase(),
                line(stepExecution, Instant.now()));
        return null;
    }

    private String line(StepExecution step, Instant now) {
        ExecutionContext context = step.getExecutionContext();
        double seconds = Math.max(0.001, Duration.between(started, now).toMillis() / 1000.0);
        return String.format(
                "scanned %d, completed %d, still open %d, anomalies %d, changed before write %d;"
                        + " notifications queued %d, skipped %d, failed %d; %.0f orders/s",
                step.getReadCount(),
                StepCounters.get(context, ReconcileCounters.COMPLETED),
                StepCounters.get(context, ReconcileCounters.STILL_OPEN),
                StepCounters.get(context, ReconcileCounters.ANOMALIES),
                StepCounters.get(context, ReconcileCounters.CHANGED_BEFORE_WRITE),
                StepCounters.get(context, ReconcileCounters.QUEUED),
                StepCounters.get(context, ReconcileCounters.SKIPPED),
                StepCounters.get(context, ReconcileCounters.NO_RECIPIENT),
                step.getReadCount() / seconds);
    }
}
