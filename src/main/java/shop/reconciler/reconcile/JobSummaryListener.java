package shop.reconciler.reconcile;

import java.time.Duration;
import java.time.LocalDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.step.StepExecution;

/** One line per step and one for the job when an execution ends. */
class JobSummaryListener implements JobExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(JobSummaryListener.class);

    @Override
    public void afterJob(JobExecution execution) {
        for (StepExecution step : execution.getStepExecutions()) {
            log.info(
                    "step {} {}: read {}, filtered {}, written {}, commits {}, rollbacks {}",
                    step.getStepName(),
                    step.getStatus(),
                    step.getReadCount(),
                    step.getFilterCount(),
                    step.getWriteCount(),
                    step.getCommitCount(),
                    step.getRollbackCount());
        }
        LocalDateTime start = execution.getStartTime();
        LocalDateTime end = execution.getEndTime() == null ? LocalDateTime.now() : execution.getEndTime();
        log.info(
                "{} execution {} (instance {}) ended {} in {} ms",
                execution.getJobInstance().getJobName(),
                execution.getId(),
                execution.getJobInstance().getInstanceId(),
                execution.getStatus(),
                start == null ? 0 : Duration.between(start, end).toMillis());
    }
}
