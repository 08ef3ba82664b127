package shop.reconciler.notify;

import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import shop.reconciler.StepCounters;
import shop.reconciler.StepProgressLog;

/** The send step's progress: notifications read, sent, failed, left for later, per second. */
class SendProgressListener extends StepProgressLog {

    SendProgressListener() {
        super(SendCounters.ALL);
    }

    @Override
    protected String line(StepExecution step, double seconds) {
        ExecutionContext context = step.getExecutionContext();
        long sent = StepCounters.get(context, SendCounters.SENT);
        return String.format(
                "read %d; sent %d, failed %d, retry later %d, claimed elsewhere %d; %.0f emails/s",
                step.getReadCount(),
                sent,
                StepCounters.get(context, SendCounters.FAILED),
                StepCounters.get(context, SendCounters.RETRY_LATER),
                StepCounters.get(context, SendCounters.CLAIMED_ELSEWHERE),
                sent / seconds);
    }
}
