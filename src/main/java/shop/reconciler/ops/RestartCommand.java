package shop.reconciler.ops;

import java.io.PrintStream;
import java.time.LocalDateTime;
import java.util.Optional;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.stereotype.Component;
import shop.reconciler.history.JobHistory;
import shop.reconciler.lease.JobLease;
import shop.reconciler.reconcile.OrderCompletionJobConfiguration;

/**
 * {@code restart <executionId>} and {@code restart --last-failed}: the same job instance again,
 * from its last committed chunk, under the lease.
 *
 * <ol>
 *   <li>Take the lease: with it held here, no other process can be running the job.
 *   <li>An execution still marked {@code STARTED} therefore belongs to a process that died (a
 *       {@code kill -9}, a power cut): mark it failed with {@link JobOperator#recover}.
 *   <li>Restart it: Spring Batch skips completed steps and the reader resumes after the last
 *       order id its step committed.
 * </ol>
 */
@Component
class RestartCommand {

    private final JobOperator jobOperator;
    private final JobRepository jobRepository;
    private final JobLease lease;
    private final JobRunner jobRunner;
    private final JobHistory history;
    private final DeadExecutions deadExecutions;

    RestartCommand(
            JobOperator jobOperator,
            JobRepository jobRepository,
            JobLease lease,
            JobRunner jobRunner,
            JobHistory history,
            DeadExecutions deadExecutions) {
        this.deadExecutions = deadExecutions;
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.lease = lease;
        this.jobRunner = jobRunner;
        this.history = history;
    }

    /** The execution, or null; Spring Batch 6.0's JDBC repository throws instead of returning null. */
    private JobExecution find(long executionId) {
        try {
            return jobRepository.getJobExecution(executionId);
        } catch (EmptyResultDataAccessException e) {
            return null;
        }
    }

    /**
     * Spring Batch refuses to restart an {@code UNKNOWN} execution, because it cannot tell whether
     * the failed chunk committed. Here it can: the chunk's writes and the reader's position are one
     * transaction, so either both stand or neither; re-reading after the last saved position is
     * safe, and the guarded writes and the unique outbox key make any re-read order harmless.
     */
    private void markFailed(JobExecution execution) {
        for (StepExecution step : execution.getStepExecutions()) {
            if (step.getStatus() == BatchStatus.UNKNOWN || step.getStatus().isRunning()) {
                step.setStatus(BatchStatus.FAILED);
                step.setEndTime(LocalDateTime.now());
                jobRepository.update(step);
            }
        }
        execution.setStatus(BatchStatus.FAILED);
        jobRepository.update(execution);
    }

    int execute(Arguments.Restart arguments, PrintStream out) {
        long executionId;
        if (arguments.lastFailed) {
            Optional<Long> found = history.lastUnfinishedExecutionId(OrderCompletionJobConfiguration.JOB_NAME);
            if (found.isEmpty()) {
                out.println("nothing to restart: no failed, stopped or interrupted execution of "
                        + OrderCompletionJobConfiguration.JOB_NAME);
                return ExitCodes.OK;
            }
            executionId = found.get();
        } else {
            executionId = arguments.id();
        }
        JobExecution execution = find(executionId);
        if (execution == null) {
            throw new Cli.UsageException("no job execution with id " + executionId);
        }
        if (execution.getStatus() == BatchStatus.COMPLETED || execution.getStatus() == BatchStatus.ABANDONED) {
            out.println(
                    "refused: execution " + executionId + " is " + execution.getStatus() + " and cannot be restarted");
            return ExitCodes.FAILED;
        }
        Optional<JobLease.Held> held = lease.tryAcquire();
        if (held.isEmpty()) {
            return jobRunner.leaseHeld(out::println);
        }
        try (JobLease.Held ignored = held.get()) {
            if (execution.getStatus().isRunning()) {
                out.println("execution " + executionId + " is " + execution.getStatus()
                        + " but no process holds the lease: its process died; recovering it");
                execution = deadExecutions.recover(
                        execution,
                        "its process died: found " + execution.getStatus() + " while " + lease.me()
                                + " held the lease '" + lease.name() + "'; recovered by restart");
            } else if (execution.getStatus() == BatchStatus.UNKNOWN
                    || execution.getStepExecutions().stream().anyMatch(s -> s.getStatus() == BatchStatus.UNKNOWN)) {
                out.println("execution " + executionId + " is UNKNOWN: the rollback of its last chunk failed (the"
                        + " database connection was lost); its committed chunks stand, so it is marked FAILED and"
                        + " restarted");
                markFailed(execution);
            }
            JobExecution restarted = jobOperator.restart(execution);
            return JobRunner.outcome(restarted, out::println);
        } catch (org.springframework.batch.core.launch.JobRestartException e) {
            out.println("refused: " + JobRunner.firstLine(e.getMessage()));
            return ExitCodes.FAILED;
        }
    }
}
