package shop.reconciler.operations;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobExecutionNotRunningException;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.OptimisticLockingFailureException;

/**
 * Asks a running execution to stop, in this process or in another one: its status in the job
 * repository becomes {@code STOPPING}; the running step reads it back at its next chunk boundary
 * and ends {@code STOPPED}.
 *
 * <p>Only the job execution's row is written. Spring Batch 6.0's {@code JobOperator.stop} also
 * rewrites the running step's row from the stopping process, which makes the running process fail
 * its next chunk with an optimistic-locking error (seen with a stop from another JVM): the
 * execution then ends {@code FAILED} instead of {@code STOPPED}.
 */
final class StopRequest {

    private StopRequest() {}

    static void send(JobRepository jobRepository, JobExecution execution) throws JobExecutionNotRunningException {
        BatchStatus status = execution.getStatus();
        if (!ExecutionAction.STOP.allows(status, false)) {
            throw new JobExecutionNotRunningException("execution " + execution.getId() + " is " + status);
        }
        // In this process the execution is the running job's own object, which the job's thread
        // also writes (at each step's start and end): when both write at once, the one behind gets
        // an optimistic-locking failure, and the object has the winner's version a moment later.
        for (int attempt = 1; ; attempt++) {
            execution.setStatus(BatchStatus.STOPPING);
            try {
                jobRepository.update(execution);
                return;
            } catch (OptimisticLockingFailureException e) {
                if (attempt >= UPDATE_ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Writes of the STOPPING status tried before an optimistic-locking failure is given up on. */
    static final int UPDATE_ATTEMPTS = 5;
}
