package shop.reconciler.ops;

import java.io.PrintStream;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobExecutionNotRunningException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.launch.NoSuchJobExecutionException;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.stereotype.Component;

/**
 * {@code stop <executionId>} and {@code abandon <executionId>}: Spring Batch's operations of those
 * names. Both go through the job repository, so they work from any node: a stopped execution ends
 * {@code STOPPED} at its next chunk boundary (restartable); an abandoned one is never restarted.
 */
@Component
class StopCommand {

    private final JobOperator jobOperator;
    private final JobRepository jobRepository;

    StopCommand(JobOperator jobOperator, JobRepository jobRepository) {
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
    }

    int stop(long id, PrintStream out) {
        try {
            StopRequest.send(jobRepository, jobRepository.getJobExecution(id));
            out.println("stop requested: execution " + id + " stops at its next chunk boundary and ends STOPPED");
            return ExitCodes.OK;
        } catch (EmptyResultDataAccessException e) {
            throw new Cli.UsageException("no job execution with id " + id);
        } catch (JobExecutionNotRunningException e) {
            out.println("refused: " + e.getMessage() + ", not running");
            return ExitCodes.FAILED;
        } catch (RuntimeException e) {
            out.println("refused: " + JobRunner.firstLine(JobRunner.rootMessage(e)));
            return ExitCodes.FAILED;
        }
    }

    int abandon(long id, PrintStream out) {
        try {
            JobExecution execution = jobRepository.getJobExecution(id);
            if (execution.getStatus() == BatchStatus.COMPLETED || execution.getStatus() == BatchStatus.ABANDONED) {
                out.println("refused: execution " + id + " is " + execution.getStatus() + "; nothing to abandon");
                return ExitCodes.FAILED;
            }
            JobExecution abandoned = jobOperator.abandon(id);
            out.println("execution " + id + " is " + abandoned.getStatus() + ": it will not be restarted");
            return ExitCodes.OK;
        } catch (NoSuchJobExecutionException | EmptyResultDataAccessException e) {
            throw new Cli.UsageException("no job execution with id " + id);
        } catch (JobExecutionAlreadyRunningException e) {
            out.println("refused: execution " + id + " is running; stop it first (or, if its process died,"
                    + " 'restart " + id + "' recovers it)");
            return ExitCodes.FAILED;
        } catch (RuntimeException e) {
            out.println("refused: " + JobRunner.firstLine(JobRunner.rootMessage(e)));
            return ExitCodes.FAILED;
        }
    }
}
