package shop.reconciler.operations;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.DatabaseClock;
import shop.reconciler.history.ExecutionClock;
import shop.reconciler.history.JobHistory;
import shop.reconciler.lease.JobLease;
import shop.reconciler.reconcile.OrderCompletionJobConfiguration;
import shop.reconciler.text.Durations;

/**
 * Executions left {@code STARTED} (or {@code STARTING}, {@code STOPPING}) by a process that died: a
 * {@code kill -9}, an OOM kill, a power cut. Spring Batch cannot tell them from running ones; the
 * lease can.
 *
 * <ol>
 *   <li>Only while this process holds the lease: every launch takes it first, so no other process
 *       is running the job.
 *   <li>An execution is taken for dead only if neither it nor any of its steps was updated for
 *       {@code reconciler.lock.at-most-for}, on the database's clock, the updates read in the zone
 *       of the node that wrote them ({@link ExecutionClock}): a live run commits a chunk far more often, and a
 *       lease that vanished under a live run (its row deleted, a clock jump) leaves an execution
 *       that is still being updated, which is left alone.
 *   <li>It is recovered with {@link JobOperator#recover}: marked {@code FAILED}, its running steps
 *       too, with the reason as its exit description, which {@code status} shows.
 *   <li>The newest one recovered is what the caller restarts, instead of starting a new instance:
 *       Spring Batch resumes it after its last committed chunk.
 * </ol>
 */
@Component
class DeadExecutions {

    private final JobOperator jobOperator;
    private final JobRepository jobRepository;
    private final JobLease lease;
    private final ReconcilerProperties properties;
    private final JobHistory history;
    private final DatabaseClock clock;

    DeadExecutions(
            JobOperator jobOperator,
            JobRepository jobRepository,
            JobLease lease,
            ReconcilerProperties properties,
            JobHistory history,
            DatabaseClock clock) {
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.lease = lease;
        this.properties = properties;
        this.history = history;
        this.clock = clock;
    }

    /**
     * Recovers every execution of the job left running by a dead process (call it holding the
     * lease); the newest of them, for the caller to restart.
     */
    Optional<JobExecution> recoverSilent(Consumer<String> out) {
        if (!lease.isHeldHere()) {
            return Optional.empty();
        }
        Duration silence = properties.lock().atMostFor();
        Instant now = clock.now();
        List<JobExecution> running =
                jobRepository.findRunningJobExecutions(OrderCompletionJobConfiguration.JOB_NAME).stream()
                        .map(e -> jobRepository.getJobExecution(e.getId()))
                        .sorted(Comparator.comparing(JobExecution::getId))
                        .toList();
        JobExecution newest = null;
        for (JobExecution execution : running) {
            Instant last = history.lastSignOfLife(execution.getId()).orElse(null);
            if (last != null && Duration.between(last, now).compareTo(silence) < 0) {
                String line = "execution " + execution.getId() + " is " + execution.getStatus() + " and was updated "
                        + Durations.format(Duration.between(last, now).withNanos(0))
                        + " ago although this process holds the lease: left alone (if its process died, it is"
                        + " recovered once it has been silent for reconciler.lock.at-most-for, "
                        + Durations.format(silence) + ")";
                out.accept(line);
                continue;
            }
            String was = execution.getStatus().name();
            String reason = "its process died: found " + was + ", last updated " + last + ", while " + lease.me()
                    + " held the lease '" + lease.name() + "'; recovered";
            JobExecution recovered = recover(execution, reason);
            String line = "execution " + execution.getId() + " was " + was + " but its process is gone (no update for "
                    + Durations.format(silence) + " or more, the lease free): marked " + recovered.getStatus()
                    + ", restarting it";
            out.accept(line);
            newest = recovered;
        }
        return Optional.ofNullable(newest);
    }

    /** Marks an execution whose process died {@code FAILED}, with the reason, so it can be restarted. */
    JobExecution recover(JobExecution execution, String reason) {
        execution.setExitStatus(ExitStatus.FAILED.addExitDescription(reason));
        return jobOperator.recover(execution);
    }
}
