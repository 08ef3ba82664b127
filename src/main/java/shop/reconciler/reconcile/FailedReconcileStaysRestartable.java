package shop.reconciler.reconcile;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * Keeps a failed reconcile step restartable although the send step ran after it.
 *
 * <p>When a flow goes on past a failed step, Spring Batch marks that step {@code ABANDONED}: "dealt
 * with, never run again", and a restart would skip it. Here the flow goes on to send the emails of
 * the orders the step completed before it failed, not because the failure was dealt with: the
 * step's unfinished part (the orders after its last committed chunk) must run again on
 * {@code restart}. So when the execution ends, a reconcile step that the flow abandoned with exit
 * code {@code FAILED} is set back to {@code FAILED}.
 */
class FailedReconcileStaysRestartable implements JobExecutionListener {

    private final JobRepository jobRepository;

    FailedReconcileStaysRestartable(JobRepository jobRepository) {
        this.jobRepository = jobRepository;
    }

    @Override
    public void afterJob(JobExecution execution) {
        for (StepExecution step : execution.getStepExecutions()) {
            if (OrderCompletionJobConfiguration.STEP_NAME.equals(step.getStepName())
                    && step.getStatus() == BatchStatus.ABANDONED
                    && ExitStatus.FAILED
                            .getExitCode()
                            .equals(step.getExitStatus().getExitCode())) {
                step.setStatus(BatchStatus.FAILED);
                jobRepository.update(step);
            }
        }
    }
}
