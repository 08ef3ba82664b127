package shop.reconciler.notify;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import shop.reconciler.StepCounters;

/** Logs the send step's totals when it ends. */
class SendProgressListener implements StepExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(SendProgressListener.class);

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        log.info(
                "send {}: {}",
                stepExecution.getStatus().toString().toLowerCase(),
                StepCounters.all(stepExecution.getExecutionContext(), SendCounters.ALL));
        return null;
    }
}
