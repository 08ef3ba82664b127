package shop.reconciler.reconcile;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.progress.StepProgressLog;

/**
 * The reconcile step's progress: orders scanned, completed, left open, anomalies, per second; and
 * when the step (the whole step, not one of its partitions) ends, one summary line per per-order
 * condition that occurred ({@link OrderConditions}).
 */
class ReconcileProgressListener extends StepProgressLog {

    private static final Logger log = LoggerFactory.getLogger(ReconcileProgressListener.class);

    ReconcileProgressListener() {
        super(ReconcileCounters.ALL);
    }

    @Override
    public void beforeStep(StepExecution stepExecution) {
        super.beforeStep(stepExecution);
        ExecutionContext context = stepExecution.getExecutionContext();
        OrderConditions.clear(context);
        long resumeAfter = context.getLong(ProcessingOrderReader.LAST_ORDER_ID, 0L);
        if (context.containsKey(ProcessingOrderReader.UP_TO_ORDER_ID)) {
            log.info("{}: {}", stepExecution.getStepName(), OrderRangePartitioner.describe(context));
        } else if (resumeAfter > 0) {
            log.info("reconcile: resuming after order id {}", resumeAfter);
        }
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        ExitStatus exit = super.afterStep(stepExecution);
        if (OrderCompletionJobConfiguration.STEP_NAME.equals(stepExecution.getStepName())) {
            OrderConditions.logSummary(stepExecution);
        }
        return exit;
    }

    @Override
    protected String line(StepExecution step, double seconds) {
        ExecutionContext context = step.getExecutionContext();
        return String.format(
                "scanned %d, completed %d, still open %d, anomalies %d, changed before write %d;"
                        + " write failures %d; notifications queued %d, skipped %d, no recipient %d; %.0f orders/s",
                step.getReadCount(),
                StepCounters.get(context, ReconcileCounters.COMPLETED),
                StepCounters.get(context, ReconcileCounters.STILL_OPEN),
                StepCounters.get(context, ReconcileCounters.ANOMALIES),
                StepCounters.get(context, ReconcileCounters.CHANGED_BEFORE_WRITE),
                StepCounters.get(context, ReconcileCounters.WRITE_FAILURES),
                StepCounters.get(context, ReconcileCounters.QUEUED),
                StepCounters.get(context, ReconcileCounters.SKIPPED),
                StepCounters.get(context, ReconcileCounters.NO_RECIPIENT),
                step.getReadCount() / seconds);
    }
}
