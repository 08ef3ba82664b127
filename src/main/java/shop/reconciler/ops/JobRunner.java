package shop.reconciler.ops;

import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.launch.JobRestartException;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.stereotype.Component;
import shop.reconciler.lease.JobLease;

/** Launches {@code orderCompletionJob} under the lease and turns the outcome into an exit code. */
@Component
class JobRunner {

    private final JobOperator jobOperator;
    private final Job orderCompletionJob;
    private final JobLease lease;
    private final DeadExecutions deadExecutions;

    JobRunner(JobOperator jobOperator, Job orderCompletionJob, JobLease lease, DeadExecutions deadExecutions) {
        this.jobOperator = jobOperator;
        this.orderCompletionJob = orderCompletionJob;
        this.lease = lease;
        this.deadExecutions = deadExecutions;
    }

    /** {@code run}: a new job instance now. */
    int runNewInstance(Consumer<String> out) {
        return runNewInstance(Duration.ZERO, out);
    }

    /**
     * A run now, the lease kept at least {@code leaseAtLeastFor} (a cron tick's dedupe): a new job
     * instance, or, when an execution was left running by a process that died, that execution
     * recovered and restarted ({@link DeadExecutions}).
     */
    int runNewInstance(Duration leaseAtLeastFor, Consumer<String> out) {
        Optional<JobLease.Held> held = lease.tryAcquire(leaseAtLeastFor);
        if (held.isEmpty()) {
            return leaseHeld(out);
        }
        try (JobLease.Held ignored = held.get()) {
            Optional<JobExecution> dead = deadExecutions.recoverSilent(out);
            if (dead.isPresent()) {
                try {
                    return outcome(jobOperator.restart(dead.get()), out);
                } catch (JobRestartException e) {
                    out.accept("cannot restart execution " + dead.get().getId() + " (" + firstLine(e.getMessage())
                            + "); starting a new instance");
                }
            }
            JobExecution execution = jobOperator.startNextInstance(orderCompletionJob);
            return outcome(execution, out);
        }
    }

    int leaseHeld(Consumer<String> out) {
        String holder = lease.holder().map(JobLease.Holder::describe).orElse("held by another process");
        out.accept("not started: the lease '" + lease.name() + "' is " + holder);
        return ExitCodes.LEASE_HELD;
    }

    static int outcome(JobExecution execution, Consumer<String> out) {
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
            return ExitCodes.OK;
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
        return ExitCodes.FAILED;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == e ? message : root.getClass().getSimpleName() + ": " + message;
    }

    static String firstLine(String text) {
        if (text == null || text.isBlank()) {
            return "no reason recorded";
        }
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
