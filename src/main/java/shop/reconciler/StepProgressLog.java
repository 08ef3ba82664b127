package shop.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepExecution;

/**
 * A step's progress in the log: one line at most every five seconds while it runs, and its totals
 * when it ends. The step's own counters start from zero in every execution, like Spring Batch's
 * read and write counts (a restart would otherwise carry over the failed execution's counts).
 */
public abstract class StepProgressLog implements StepExecutionListener, ChunkListener<Object, Object> {

    private static final Logger log = LoggerFactory.getLogger(StepProgressLog.class);
    private static final Duration EVERY = Duration.ofSeconds(5);

    private final String stepName;
    private final List<String> counters;
    private Instant started = Instant.now();
    private Instant lastLog = Instant.now();

    protected StepProgressLog(String stepName, List<String> counters) {
        this.stepName = stepName;
        this.counters = counters;
    }

    @Override
    public void beforeStep(StepExecution stepExecution) {
        started = Instant.now();
        lastLog = started;
        counters.forEach(stepExecution.getExecutionContext()::remove);
    }

    @Override
    public void afterChunk(ChunkContext context) {
        Instant now = Instant.now();
        if (Duration.between(lastLog, now).compareTo(EVERY) >= 0) {
            lastLog = now;
            log.info("{}: {}", stepName, line(context.getStepContext().getStepExecution(), seconds(now)));
        }
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        log.info(
                "{} {}: {}",
                stepName,
                stepExecution.getStatus().toString().toLowerCase(),
                line(stepExecution, seconds(Instant.now())));
        return null;
    }

    private double seconds(Instant now) {
        return Math.max(0.001, Duration.between(started, now).toMillis() / 1000.0);
    }

    /** The counts of this execution so far, after {@code seconds} of it. */
    protected abstract String line(StepExecution step, double seconds);
}
