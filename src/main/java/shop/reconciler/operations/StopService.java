package shop.reconciler.operations;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobExecutionNotRunningException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.launch.NoSuchJobExecutionException;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.stereotype.Component;
import shop.reconciler.audit.Actor;
import shop.reconciler.audit.AuditTrail;

/**
 * {@code stop <executionId>} and {@code abandon <executionId>}: Spring Batch's operations of those
 * names. Both go through the job repository, so they work from any node: a stopped execution ends
 * {@code STOPPED} at its next chunk boundary (restartable); an abandoned one is never restarted.
 * {@link #apply(ExecutionAction, long, Actor)} says what happened as data; the CLI
 * prints it, the console shows it, and the audit trail records it with who asked.
 */
@Component
public class StopService {

    private final JobOperator jobOperator;
    private final JobRepository jobRepository;
    private final AuditTrail audit;

    StopService(JobOperator jobOperator, JobRepository jobRepository, AuditTrail audit) {
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.audit = audit;
    }

    /** {@code stop <id>} or {@code abandon <id>} by {@code who}, recorded in the audit trail. */
    public ActionOutcome apply(ExecutionAction action, long id, Actor who) {
        ActionOutcome outcome = switch (action) {
            case STOP -> stop(id);
            case ABANDON -> abandon(id);
            case RESTART -> throw new IllegalArgumentException("a restart is RestartService's");
        };
        audit.append(who, new AuditTrail.Action(action.word(), "execution " + id, id, null, outcome.line()));
        return outcome;
    }

    /** {@code stop <id>}: asks a running execution to stop (see {@link StopRequest}). */
    private ActionOutcome stop(long id) {
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
    private ActionOutcome abandon(long id) {
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
