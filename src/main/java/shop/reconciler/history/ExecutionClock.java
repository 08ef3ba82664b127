package shop.reconciler.history;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Reads the times of the job repository as instants. Spring Batch stamps {@code BATCH_*} times
 * with {@code LocalDateTime.now()} of the JVM that runs the execution (Spring Batch 6 has no clock
 * to set), and the driver writes them as that wall clock (or in {@code connectionTimeZone}, when
 * the URL names one); mysql-connector-j sends them to MariaDB without fractions of a second. A
 * time without its zone means nothing to a node in another zone, so:
 *
 * <ol>
 *   <li>When an execution starts ({@link #beforeJob}), the zone its times are written in is put in
 *       its execution context under {@link #ZONE_KEY} (a restart, by whichever node, writes its
 *       own).
 *   <li>A reader turns the execution's times into instants in that zone; an execution without one
 *       (written by 0.6.0, or not started yet) is read in this node's zone.
 *   <li>A time in the hour the writer's clocks went back is ambiguous: the later instant is taken,
 *       so a live execution is never taken for older than it is.
 * </ol>
 */
@Component
public class ExecutionClock implements JobExecutionListener {

    public static final String ZONE_KEY = "reconciler.clock.zone";

    private static final Pattern URL_ZONE =
            Pattern.compile("[?&](?:connectionTimeZone|serverTimezone)=([^&]+)", Pattern.CASE_INSENSITIVE);
    private static final int CACHED = 1_000;

    private final JobRepository jobRepository;
    private final ZoneId writtenIn;
    private final Map<Long, ZoneId> zones = new ConcurrentHashMap<>();

    public ExecutionClock(JobRepository jobRepository, Environment environment) {
        this.jobRepository = jobRepository;
        this.writtenIn = writtenIn(environment.getProperty("spring.datasource.url"));
    }

    /** The zone this node's job repository writes times in: the driver's, or this JVM's. */
    static ZoneId writtenIn(String url) {
        if (url != null) {
            Matcher m = URL_ZONE.matcher(url);
            if (m.find()) {
                String name = m.group(1);
                if (!"LOCAL".equalsIgnoreCase(name) && !"SERVER".equalsIgnoreCase(name)) {
                    try {
                        return ZoneId.of(name, Map.of("UTC", "Z"));
                    } catch (RuntimeException e) {
                        return ZoneId.systemDefault();
                    }
                }
            }
        }
        return ZoneId.systemDefault();
    }

    @Override
    public void beforeJob(JobExecution execution) {
        execution.getExecutionContext().putString(ZONE_KEY, writtenIn.getId());
        jobRepository.updateExecutionContext(execution);
        remember(execution.getId(), writtenIn);
    }

    /** A time of this execution (its own or one of its steps') as an instant. */
    public Instant instantOf(JobExecution execution, LocalDateTime time) {
        return at(time, zoneOf(execution));
    }

    /** A time of the execution with this id as an instant (its zone read once, then cached). */
    public Instant instantOf(long executionId, LocalDateTime time) {
        if (time == null) {
            return null;
        }
        ZoneId zone = zones.get(executionId);
        if (zone == null) {
            JobExecution execution = jobRepository.getJobExecution(executionId);
            zone = execution == null ? ZoneId.systemDefault() : zoneOf(execution);
            if (execution != null && !execution.isRunning()) {
                remember(executionId, zone);
            }
        }
        return at(time, zone);
    }

    private ZoneId zoneOf(JobExecution execution) {
        ZoneId known = zones.get(execution.getId());
        if (known != null) {
            return known;
        }
        Optional<ZoneId> recorded = Optional.ofNullable(
                        execution.getExecutionContext().getString(ZONE_KEY, null))
                .map(ZoneId::of);
        recorded.ifPresent(zone -> remember(execution.getId(), zone));
        return recorded.orElse(ZoneId.systemDefault());
    }

    /** A zone never changes once recorded; the cache is bounded. */
    private void remember(long executionId, ZoneId zone) {
        if (zones.size() >= CACHED) {
            zones.clear();
        }
        zones.put(executionId, zone);
    }

    private static Instant at(LocalDateTime time, ZoneId zone) {
        return time == null
                ? null
                : time.atZone(zone).withLaterOffsetAtOverlap().toInstant();
    }
}
