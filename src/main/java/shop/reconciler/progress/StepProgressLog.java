package shop.reconciler.progress;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * read and write counts (a restart would otherwise carry over the failed execution's counts). One
 * instance serves the concurrent executions of a partitioned step: each line names its execution.
 */
public abstract class StepProgressLog implements StepExecutionListener, ChunkListener<Object, Object> {

    private static final Logger log = LoggerFactory.getLogger(StepProgressLog.class);
    private static final Duration EVERY = Duration.ofSeconds(5);

    private final List<String> counters;
    private final Map<Long, Clock> clocks = new ConcurrentHashMap<>();

    /** When an execution started and when its last progress line was written. */
    private static final class Clock {
        final Instant started = Instant.now();
        Instant lastLog = started;
    }

    protected StepProgressLog(List<String> counters) {
        this.counters = counters;
    }

    @Override
    public void beforeStep(StepExecution stepExecution) {
        clocks.put(stepExecution.getId(), new Clock());
        counters.forEach(stepExecution.getExecutionContext()::remove);
    }

    @Override
    public void afterChunk(ChunkContext context) {
        StepExecution step = context.getStepContext().getStepExecution();
        Clock clock = clock(step);
        Instant now = Instant.now();
        if (Duration.between(clock.lastLog, now).compareTo(EVERY) >= 0) {
            clock.lastLog = now;
            log.info("{}: {}", step.getStepName(), line(step, seconds(clock, now)));
        }
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        Clock clock = clock(stepExecution);
        clocks.remove(stepExecution.getId());
        log.info(
                "{} {}: {}",
                stepExecution.getStepName(),
                stepExecution.getStatus().toString().toLowerCase(),
                line(stepExecution, seconds(clock, Instant.now())));
        return null;
    }

    private Clock clock(StepExecution step) {
        return clocks.computeIfAbsent(step.getId(), id -> new Clock());
    }

    private static double seconds(Clock clock, Instant now) {
        return Math.max(0.001, Duration.between(clock.started, now).toMillis() / 1000.0);
    }

    /** The counts of this execution so far, after {@code seconds} of it. */
    protected abstract String line(StepExecution step, double seconds);
}
