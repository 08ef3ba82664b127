package shop.reconciler.operations;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;

/**
 * What SIGTERM does to {@code serve} and {@code run}, in place of Spring's own shutdown hook
 * (which would close the context under a running job).
 *
 * <ol>
 *   <li>No new run is scheduled.
 *   <li>The running execution, if any, is asked to stop: it stops at its next chunk boundary and
 *       is recorded {@code STOPPED}, restartable.
 *   <li>The command returns, which releases the lease and closes the context; the hook waits for
 *       that up to {@code reconciler.shutdown-timeout}, so the process exits in time.
 * </ol>
 */
@Component
public class ShutdownCoordinator {

    private static final Logger log = LoggerFactory.getLogger(ShutdownCoordinator.class);

    private final RunningJob runningJob;
    private final JobRepository jobRepository;
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);

    ShutdownCoordinator(RunningJob runningJob, JobRepository jobRepository) {
        this.runningJob = runningJob;
        this.jobRepository = jobRepository;
    }

    /** Runs in the JVM's shutdown hook. */
    public void onSignal(Duration timeout) {
        if (finished.getCount() == 0) {
            return;
        }
        requested.countDown();
        runningJob.current().ifPresent(this::stop);
        try {
            if (!finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn(
                        "shutdown: the running execution did not stop within {}; exiting anyway"
                                + " (restart it with: restart --last-failed)",
                        timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stop(JobExecution execution) {
        log.info("shutdown: stopping execution {} at its next chunk boundary", execution.getId());
        try {
            StopRequest.send(jobRepository, execution);
        } catch (Exception e) {
            log.warn("shutdown: could not stop execution {}: {}", execution.getId(), e.getMessage());
        }
    }

    boolean isRequested() {
        return requested.getCount() == 0;
    }

    void awaitRequest() throws InterruptedException {
        requested.await();
    }

    /** Called once the command has returned and the context is closed. */
    public void finished() {
        finished.countDown();
    }
}
