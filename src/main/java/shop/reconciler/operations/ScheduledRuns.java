package shop.reconciler.operations;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.scheduling.support.CronTrigger;
import org.springframework.stereotype.Component;
import shop.reconciler.config.ReconcilerProperties;

/**
 * {@code serve}: launches the job on {@code reconciler.cron}, each launch under the lease (a tick
 * that finds the lease held elsewhere does nothing), until SIGTERM. One run at a time per process:
 * a tick that comes while a run is still going waits for it rather than overlapping.
 *
 * <p>Every node fires on the same tick. So that a node whose clock or scheduler is a little late
 * does not start a second run of that tick after the first one ended, a scheduled launch keeps the
 * lease for at least half the cron interval (at most {@code reconciler.lock.at-least-for}).
 */
@Component
public class ScheduledRuns {

    private static final Logger log = LoggerFactory.getLogger(ScheduledRuns.class);

    private final JobRunner jobRunner;
    private final ShutdownCoordinator shutdown;
    private final ReconcilerProperties properties;
    /** The one run thread while serve runs; null before and once shutting down. */
    private volatile ThreadPoolTaskScheduler runs;

    ScheduledRuns(JobRunner jobRunner, ShutdownCoordinator shutdown, ReconcilerProperties properties) {
        this.jobRunner = jobRunner;
        this.shutdown = shutdown;
        this.properties = properties;
    }

    /** Runs the schedule until SIGTERM asks for shutdown. */
    public void serve() throws InterruptedException {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(1);
        scheduler.setThreadNamePrefix("reconcile-");
        scheduler.setWaitForTasksToCompleteOnShutdown(true);
        scheduler.setAwaitTerminationSeconds((int) properties.shutdownTimeout().toSeconds());
        // a cancelled next tick leaves the queue at once, so that shutdown does not wait for it
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.initialize();
        ScheduledFuture<?> ticks = null;
        runs = scheduler;
        try {
            ticks = scheduler.schedule(this::tick, new CronTrigger(properties.cron()));
            log.info(
                    "serve: orderCompletionJob on cron '{}', first run at {}",
                    properties.cron(),
                    CronExpression.parse(properties.cron()).next(LocalDateTime.now()));
            shutdown.awaitRequest();
            log.info("serve: shutting down");
        } finally {
            runs = null;
            // The next tick is not waited for (shutdown would wait for a delayed task until
            // reconciler.shutdown-timeout); a tick that is running finishes, stopped by the signal.
            if (ticks != null) {
                ticks.cancel(false);
            }
            scheduler.shutdown();
        }
    }

    /**
     * Runs {@code task} on the run thread, after the run in progress there, if any (the console's
     * restart, so that one process runs one job at a time and shutdown waits for it as for a
     * tick); false when serve is not running jobs (not started, or shutting down).
     */
    boolean submit(Runnable task) {
        ThreadPoolTaskScheduler scheduler = runs;
        if (scheduler == null || shutdown.isRequested()) {
            return false;
        }
        try {
            scheduler.execute(task);
            return true;
        } catch (org.springframework.core.task.TaskRejectedException e) {
            return false;
        }
    }

    private Duration tickLease() {
        CronExpression cron = CronExpression.parse(properties.cron());
        LocalDateTime next = cron.next(LocalDateTime.now());
        LocalDateTime after = next == null ? null : cron.next(next);
        Duration half = next == null || after == null
                ? Duration.ZERO
                : Duration.between(next, after).dividedBy(2);
        return half.compareTo(properties.lock().atLeastFor()) < 0
                ? half
                : properties.lock().atLeastFor();
    }

    private void tick() {
        if (shutdown.isRequested()) {
            return;
        }
        try {
            RunResult exit = jobRunner.runNewInstance(
                    Launch.by(Launch.Trigger.CRON),
                    tickLease(),
                    line -> log.info("scheduled run at {}: {}", Instant.now(), line));
            if (exit == RunResult.FAILED && shutdown.isRequested()) {
                log.info("scheduled run stopped for shutdown; 'restart --last-failed' finishes it");
            } else if (exit == RunResult.FAILED) {
                log.warn("scheduled run failed; the next tick starts a new instance, or restart this one with"
                        + " 'restart --last-failed'");
            }
        } catch (RuntimeException e) {
            log.error("scheduled run could not start: {}", JobRunner.firstLine(JobRunner.rootMessage(e)));
        }
    }
}
