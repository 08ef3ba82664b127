package shop.reconciler.ops;

import java.io.PrintStream;
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
 * {@link #stop(long)} and {@link #abandon(long)} say what happened as data; the CLI prints it, the
 * console shows it.
 */
@Component
public class StopCommand {

    private final JobOperator jobOperator;
    private final JobRepository jobRepository;

    StopCommand(JobOperator jobOperator, JobRepository jobRepository) {
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
    }

    int stop(long id, PrintStream out) {
        return print(stop(id), out);
    }

    int abandon(long id, PrintStream out) {
        return print(abandon(id), out);
    }

    private static int print(ActionOutcome outcome, PrintStream out) {
        int exit = outcome.exitCode();
        out.println(outcome.line());
        return exit;
    }

    /** {@code stop <id>}: asks a running execution to stop (see {@link StopRequest}). */
    public ActionOutcome stop(long id) {
        try {
            StopRequest.send(jobRepository, jobRepository.getJobExecution(id));
            return ActionOutcome.done(
                    "stop requested: execution " + id + " stops at its next chunk boundary and ends STOPPED");
        } catch (EmptyResultDataAccessException e) {
            return ActionOutcome.noSuchExecution(id);
        } catch (JobExecutionNotRunningException e) {
            return ActionOutcome.refused("refused: " + e.getMessage() + ", not running");
        } catch (RuntimeException e) {
            return ActionOutcome.refused("refused: " + JobRunner.firstLine(JobRunner.rootMessage(e)));
        }
    }

    /** {@code abandon <id>}: marks a stopped or failed execution as never to be restarted. */
    public ActionOutcome abandon(long id) {
        try {
            JobExecution execution = jobRepository.getJobExecution(id);
            if (ExecutionAction.STOP.allows(execution.getStatus(), false)) {
                return refusedRunning(id); // running: stopping it comes first
            }
            if (!ExecutionAction.ABANDON.allows(execution.getStatus(), false)) {
                return ActionOutcome.refused(
                        "refused: execution " + id + " is " + execution.getStatus() + "; nothing to abandon");
            }
            JobExecution abandoned = jobOperator.abandon(id);
            return ActionOutcome.done(
                    "execution " + id + " is " + abandoned.getStatus() + ": it will not be restarted");
        } catch (NoSuchJobExecutionException | EmptyResultDataAccessException e) {
            return ActionOutcome.noSuchExecution(id);
        } catch (JobExecutionAlreadyRunningException e) {
            return refusedRunning(id);
        } catch (RuntimeException e) {
            return ActionOutcome.refused("refused: " + JobRunner.firstLine(JobRunner.rootMessage(e)));
        }
    }

    private static ActionOutcome refusedRunning(long id) {
        return ActionOutcome.refused("refused: execution " + id + " is running; stop it first (or, if its process"
                + " died, 'restart " + id + "' recovers it)");
    }
}
