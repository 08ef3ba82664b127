package shop.reconciler.operations;

import java.time.LocalDateTime;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.stereotype.Component;
import shop.reconciler.audit.Actor;
import shop.reconciler.audit.AuditTrail;
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
 *
 * The audit trail records each restart when it is decided (started, or refused with why), before
 * the run: so a run that never ends (its process killed) still has its row; how it ended is the
 * job repository's to say.
 */
@Component
public class RestartService {

    private final JobRepository jobRepository;
    private final JobLease lease;
    private final JobRunner jobRunner;
    private final JobHistory history;
    private final DeadExecutions deadExecutions;
    private final ScheduledRuns serve;
    private final AuditTrail audit;

    RestartService(
            JobRepository jobRepository,
            JobLease lease,
            JobRunner jobRunner,
            JobHistory history,
            DeadExecutions deadExecutions,
            ScheduledRuns serve,
            AuditTrail audit) {
        this.audit = audit;
        this.deadExecutions = deadExecutions;
        this.serve = serve;
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

    /**
     * {@code restart <executionId>}, or with a null id {@code restart --last-failed}, by
     * {@code who}: refused or nothing to restart (the outcome's line, not yet shown), or run here
     * with its lines to {@code out} (an outcome without a line, of how the run ended).
     */
    public ActionOutcome restart(Long requestedId, Actor who, Consumer<String> out) {
        boolean lastFailed = requestedId == null;
        long executionId;
        if (lastFailed) {
            Optional<Long> found = history.lastUnfinishedExecutionId(OrderCompletionJobConfiguration.JOB_NAME);
            if (found.isEmpty()) {
                String line = "nothing to restart: no failed, stopped or interrupted execution of "
                        + OrderCompletionJobConfiguration.JOB_NAME;
                audit.append(who, new AuditTrail.Action("restart", "--last-failed", null, null, line));
                return ActionOutcome.done(line);
            }
            executionId = found.get();
        } else {
            executionId = requestedId;
        }
        Prepared prepared = prepare(executionId);
        String target = "execution " + executionId + (lastFailed ? " (--last-failed)" : "");
        if (prepared.refusal() != null) {
            record(who, target, executionId, prepared.refusal());
            return prepared.refusal();
        }
        record(who, target, executionId, started(executionId));
        return ActionOutcome.ran(run(prepared, Launch.by(Launch.Trigger.RESTART), out));
    }

    private void record(Actor who, String target, long executionId, ActionOutcome outcome) {
        audit.append(who, new AuditTrail.Action("restart", target, executionId, null, outcome.line()));
    }

    private static ActionOutcome started(long executionId) {
        return ActionOutcome.done("restart of execution " + executionId + " started");
    }

    /**
     * The console's restart: the checks and the lease now, on the caller's thread; the run itself
     * on {@code serve}'s run thread, after any run in progress there, so the caller does not wait
     * for it. {@code runLines} receives the run's lines ({@code restart}'s output), its outcome
     * last. The execution records {@code account} as its user and {@code console} as its trigger.
     *
     * @return refused, the lease held elsewhere, or that it started
     */
    public ActionOutcome restartInBackground(long executionId, Consumer<String> runLines, Actor who) {
        ActionOutcome outcome = startInBackground(executionId, who.name(), runLines);
        record(who, "execution " + executionId, executionId, outcome);
        return outcome;
    }

    private ActionOutcome startInBackground(long executionId, String account, Consumer<String> runLines) {
        Prepared prepared = prepare(executionId);
        if (prepared.refusal() != null) {
            return prepared.refusal();
        }
        boolean queued = serve.submit(() -> {
            try {
                run(prepared, Launch.console(account), runLines);
            } catch (RuntimeException e) {
                runLines.accept("restart of execution " + executionId + " could not run: "
                        + JobRunner.firstLine(JobRunner.rootMessage(e)));
            }
        });
        if (!queued) {
            prepared.lease().close();
            return ActionOutcome.refused("refused: serve is not running jobs (starting or shutting down)");
        }
        return started(executionId);
    }

    /** A restart checked: refused (with the line), or ready with the lease held here. */
    private record Prepared(ActionOutcome refusal, JobExecution execution, JobLease.Held lease) {
        static Prepared refused(ActionOutcome refusal) {
            return new Prepared(refusal, null, null);
        }
    }

    /**
     * The checks before a restart, in order: the execution exists, its state allows a restart
     * ({@link ExecutionAction#RESTART}), its instance did not end since (a later execution of it
     * completed or was abandoned), the lease is free. With the lease taken here, no other
     * process runs the job.
     */
    private Prepared prepare(long executionId) {
        JobExecution execution = find(executionId);
        if (execution == null) {
            return Prepared.refused(ActionOutcome.noSuchExecution(executionId));
        }
        if (!ExecutionAction.RESTART.allows(execution.getStatus(), true)) {
            return Prepared.refused(ActionOutcome.refused(
                    "refused: execution " + executionId + " is " + execution.getStatus() + " and cannot be restarted"));
        }
        JobExecution last = jobRepository.getLastJobExecution(execution.getJobInstance());
        if (last != null
                && last.getId() != executionId
                && (last.getStatus() == BatchStatus.COMPLETED || last.getStatus() == BatchStatus.ABANDONED)) {
            return Prepared.refused(ActionOutcome.refused("refused: execution " + executionId
                    + " was followed by execution " + last.getId() + " of its instance, which is " + last.getStatus()
                    + "; nothing to restart"));
        }
        Optional<JobLease.Held> held = lease.tryAcquire();
        if (held.isEmpty()) {
            StringBuilder line = new StringBuilder();
            jobRunner.leaseHeld(line::append);
            return Prepared.refused(new ActionOutcome(ActionOutcome.Kind.LEASE_HELD, line.toString()));
        }
        return new Prepared(null, execution, held.get());
    }

    /** Recovers a dead or UNKNOWN execution if need be, restarts it, releases the lease; how it ended. */
    private RunResult run(Prepared prepared, Launch launch, Consumer<String> out) {
        JobExecution execution = prepared.execution();
        long executionId = execution.getId();
        try (JobLease.Held ignored = prepared.lease()) {
            if (execution.getStatus().isRunning()) {
                out.accept("execution " + executionId + " is " + execution.getStatus()
                        + " but no process holds the lease: its process died; recovering it");
                execution = deadExecutions.recover(
                        execution,
                        "its process died: found " + execution.getStatus() + " while " + lease.me()
                                + " held the lease '" + lease.name() + "'; recovered by restart");
            } else if (execution.getStatus() == BatchStatus.UNKNOWN
                    || execution.getStepExecutions().stream().anyMatch(s -> s.getStatus() == BatchStatus.UNKNOWN)) {
                out.accept("execution " + executionId + " is UNKNOWN: the rollback of its last chunk failed (the"
                        + " database connection was lost); its committed chunks stand, so it is marked FAILED and"
                        + " restarted");
                markFailed(execution);
            }
            JobExecution restarted = jobRunner.restart(execution, launch);
            return JobRunner.outcome(restarted, out);
        } catch (org.springframework.batch.core.launch.JobRestartException e) {
            out.accept("refused: " + JobRunner.firstLine(e.getMessage()));
            return RunResult.FAILED;
        }
    }
}
