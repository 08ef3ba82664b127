package shop.reconciler.operations;

import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.job.UnexpectedJobExecutionException;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.job.parameters.JobParametersValidator;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.launch.JobRestartException;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.stereotype.Component;
import shop.reconciler.history.JobHistory;
import shop.reconciler.lease.JobLease;
import shop.reconciler.reconcile.OrderCompletionJobConfiguration;

/**
 * Launches {@code orderCompletionJob} under the lease and turns the outcome into an exit code.
 * Every launch records its {@link Launch} (trigger, node, user) as non-identifying parameters.
 */
@Component
public class JobRunner {

    private final JobOperator jobOperator;
    private final JobHistory history;
    private final Job orderCompletionJob;
    /** The job as {@link JobOperator#start} launches it with the parameters given. */
    private final Job launchable;

    private final JobLease lease;
    private final DeadExecutions deadExecutions;

    JobRunner(
            JobOperator jobOperator,
            JobHistory history,
            Job orderCompletionJob,
            JobLease lease,
            DeadExecutions deadExecutions) {
        this.jobOperator = jobOperator;
        this.history = history;
        this.orderCompletionJob = orderCompletionJob;
        this.launchable = new WithParametersAsGiven(orderCompletionJob);
        this.lease = lease;
        this.deadExecutions = deadExecutions;
    }

    /** {@code run}: a new job instance now. */
    public RunResult runNewInstance(Launch launch, Consumer<String> out) {
        return runNewInstance(launch, Duration.ZERO, out);
    }

    /**
     * A run now, the lease kept at least {@code leaseAtLeastFor} (a cron tick's dedupe): a new job
     * instance, or, when an execution was left running by a process that died, that execution
     * recovered and restarted ({@link DeadExecutions}).
     */
    RunResult runNewInstance(Launch launch, Duration leaseAtLeastFor, Consumer<String> out) {
        Optional<JobLease.Held> held = lease.tryAcquire(leaseAtLeastFor);
        if (held.isEmpty()) {
            return leaseHeld(out);
        }
        try (JobLease.Held ignored = held.get()) {
            Optional<JobExecution> dead = deadExecutions.recoverSilent(out);
            if (dead.isPresent()) {
                try {
                    return outcome(restart(dead.get(), launch), out);
                } catch (JobRestartException e) {
                    out.accept("cannot restart execution " + dead.get().getId() + " (" + firstLine(e.getMessage())
                            + "); starting a new instance");
                }
            }
            JobExecution execution = startNextInstance(launch);
            return outcome(execution, out);
        }
    }

    /**
     * A new instance: the next {@code run.id} from the job's incrementer, as
     * {@link JobOperator#startNextInstance} gives it, with the launch's parameters. The previous
     * {@code run.id} is read alone ({@link JobHistory#lastInstanceParameter}): the newest
     * execution as the job repository returns it brings its steps' execution contexts, each read
     * and decoded, for a number. It is the only identifying parameter ({@link Launch}); the
     * incrementer reads its text.
     */
    private JobExecution startNextInstance(Launch launch) {
        String runId = OrderCompletionJobConfiguration.RUN_ID;
        JobParameters identifying = history.lastInstanceParameter(orderCompletionJob.getName(), runId)
                .map(last ->
                        new JobParametersBuilder().addString(runId, last, true).toJobParameters())
                .orElseGet(JobParameters::new);
        JobParameters next = orderCompletionJob.getJobParametersIncrementer().getNext(identifying);
        try {
            return jobOperator.start(launchable, launch.onto(next, lease.me()));
        } catch (JobExecutionAlreadyRunningException
                | JobRestartException
                | JobInstanceAlreadyCompleteException
                | InvalidJobParametersException e) {
            throw new UnexpectedJobExecutionException("cannot start instance with " + next + ": " + e.getMessage(), e);
        }
    }

    /**
     * A failed or stopped execution's instance again, as {@link JobOperator#restart(JobExecution)}
     * runs it (from its last committed chunk), with this launch's parameters instead of the first
     * launch's; the caller holds the lease.
     */
    JobExecution restart(JobExecution execution, Launch launch) throws JobRestartException {
        try {
            return jobOperator.start(launchable, launch.onto(execution.getJobParameters(), lease.me()));
        } catch (JobExecutionAlreadyRunningException
                | JobInstanceAlreadyCompleteException
                | InvalidJobParametersException e) {
            throw new JobRestartException(e.getMessage(), e);
        }
    }

    RunResult leaseHeld(Consumer<String> out) {
        String holder = lease.holder().map(JobLease.Holder::describe).orElse("held by another process");
        out.accept("not started: the lease '" + lease.name() + "' is " + holder);
        return RunResult.LEASE_HELD;
    }

    static RunResult outcome(JobExecution execution, Consumer<String> out) {
        String line = "execution " + execution.getId() + " (instance " + execution.getJobInstanceId() + ") "
                + execution.getStatus();
        if (execution.getStatus() == BatchStatus.COMPLETED) {
            // completed with emails left unsent or orders set aside: said, and still exit 0 (README)
            String exitCode = execution.getExitStatus().getExitCode();
            out.accept(
                    BatchStatus.COMPLETED.name().equals(exitCode)
                            ? line
                            : line + " " + exitCode + ": "
                                    + firstLine(execution.getExitStatus().getExitDescription()));
            return RunResult.COMPLETED;
        }
        // The cause from the step that failed last (a partition's, not its manager's summary);
        // getAllFailureExceptions() comes in no particular order.
        String why = execution.getStepExecutions().stream()
                .filter(step -> !step.getFailureExceptions().isEmpty())
                .max(Comparator.comparing(StepExecution::getId))
                .map(step -> step.getFailureExceptions().get(0))
                .or(() -> execution.getFailureExceptions().stream().findFirst())
                .map(JobRunner::rootMessage)
                .orElse(execution.getExitStatus().getExitDescription());
        out.accept(line + ": " + firstLine(why));
        return RunResult.FAILED;
    }

    /**
     * The job without its incrementer: {@link JobOperator#start} launches a job that has one with
     * the incrementer's next parameters, ignoring those given; launched through this view, the
     * parameters given are the execution's (a new {@code run.id}: a new instance; an existing
     * one: a restart of that instance).
     */
    private record WithParametersAsGiven(Job job) implements Job {
        @Override
        public String getName() {
            return job.getName();
        }

        @Override
        public boolean isRestartable() {
            return job.isRestartable();
        }

        @Override
        public void execute(JobExecution execution) throws JobInterruptedException {
            job.execute(execution);
        }

        @Override
        public JobParametersValidator getJobParametersValidator() {
            return job.getJobParametersValidator();
        }
    }

    /** The deepest cause's message, with its class when it is not {@code e} itself. */
    public static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == e ? message : root.getClass().getSimpleName() + ": " + message;
    }

    /** The first line of a message, at most 300 characters; {@code no reason recorded} for none. */
    public static String firstLine(String text) {
        if (text == null || text.isBlank()) {
            return "no reason recorded";
        }
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
