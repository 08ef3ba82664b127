package shop.reconciler.operations;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.stereotype.Component;

/** The execution of the job this process is running, if any: what a SIGTERM must stop. */
@Component
class RunningJob implements JobExecutionListener {

    private final AtomicReference<JobExecution> current = new AtomicReference<>();

    @Override
    public void beforeJob(JobExecution execution) {
        current.set(execution);
    }

    @Override
    public void afterJob(JobExecution execution) {
        current.compareAndSet(execution, null);
    }

    Optional<JobExecution> current() {
        return Optional.ofNullable(current.get());
    }
}
