package shop.reconciler.monitor;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.stereotype.Component;
import shop.reconciler.db.DatabaseClock;
import shop.reconciler.history.JobHistory;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.reconcile.OrderCompletionJobConfiguration;
import shop.reconciler.reconcile.RunPreview;
import shop.reconciler.reconcile.WriteFailures;

/**
 * The signals that catch a silent failure, as gauges: how long since the job last completed, how
 * many processing orders are finished but not completed yet, how old the oldest queued email is,
 * how many orders are stuck, and the notifications by status.
 *
 * <ol>
 *   <li>They are read from the database together, at most once per {@link #REFRESH} whoever asks (a
 *       scrape reads every gauge, and each would otherwise run its own queries), through the same
 *       rules the commands use ({@link RunPreview}, {@link NotificationStore}, {@link JobHistory}).
 *       Finished-not-completed and stuck are counted live over every processing order (two
 *       statements; one pass computing both was slower on MariaDB 10.11): they must rise when the
 *       job silently stops running.
 *   <li>When the database does not answer, the gauges keep their last values.
 *   <li>The end of an execution makes the next read fresh, so that the figures a {@code run} pushes
 *       at its end (and a scrape right after a run) are the backlog it left.
 *   <li>The console's overview and the health details show the last snapshot read, whatever its age
 *       ({@link #recent()}, the page says when it was read), and read it themselves only when none
 *       was read or an execution ended since: where Prometheus scrapes every 30 s or so, a page
 *       does not pay again for the pass over every processing order that a scrape paid for.
 * </ol>
 *
 * <p>Every age is measured on the database's clock ({@link DatabaseClock}): a time the database
 * stamped is read in its session's zone, a time of the job repository in the zone of the node
 * that wrote it ({@link shop.reconciler.history.ExecutionClock}).
 */
@Component
public class BacklogGauges implements JobExecutionListener {

    public static final Duration REFRESH = Duration.ofSeconds(30);

    /** How many stuck orders' codes a refresh keeps, for pages that list them. */
    public static final int LISTED = 10;

    private static final Logger log = LoggerFactory.getLogger(BacklogGauges.class);

    /**
     * The figures as last read.
     *
     * @param lastCompletedAgeSeconds since the last completed execution ended (since this process
     *     started, if none); NaN until the database first answered
     * @param finishedNotCompleted processing orders whose tasks are all terminal, not completed yet
     * @param oldestQueuedAgeSeconds age of the oldest queued notification, 0 when none; NaN as above
     * @param stuck processing orders waiting on a task unchanged for longer than stuck-task-after
     * @param stuckCodes the first {@link #LISTED} of them, read in the same refresh
     * @param oldestQueued when the oldest queued notification was written, null when none
     * @param uncertain notifications with a delivery of unknown outcome
     * @param writeFailures processing orders the database refused to complete
     * @param readAtNanos {@link System#nanoTime()} of the read
     * @param readAt when it was read, on the database's clock; null until the database first answered
     */
    public record Snapshot(
            double lastCompletedAgeSeconds,
            long finishedNotCompleted,
            double oldestQueuedAgeSeconds,
            long stuck,
            List<String> stuckCodes,
            Map<String, Long> byStatus,
            Instant oldestQueued,
            long uncertain,
            long writeFailures,
            long readAtNanos,
            Instant readAt) {}

    private final JobHistory history;
    private final NotificationStore notifications;
    private final RunPreview rules;
    private final WriteFailures failures;
    private final DatabaseClock clock;
    private final long startedAtNanos = System.nanoTime();
    private Snapshot snapshot;
    private volatile boolean stale;

    BacklogGauges(
            MeterRegistry registry,
            JobHistory history,
            NotificationStore notifications,
            RunPreview rules,
            WriteFailures failures,
            DatabaseClock clock) {
        this.history = history;
        this.notifications = notifications;
        this.rules = rules;
        this.failures = failures;
        this.clock = clock;
        gauge(
                registry,
                "reconciler.last.completed.age",
                "seconds",
                "Seconds since the last completed execution ended (since this process started, if none)",
                s -> s.lastCompletedAgeSeconds());
        gauge(
                registry,
                "reconciler.orders.finished.pending",
                null,
                "Processing orders whose tasks are all terminal, not completed yet",
                s -> s.finishedNotCompleted());
        gauge(
                registry,
                "reconciler.notifications.oldest.queued.age",
                "seconds",
                "Age of the oldest queued notification (0 when none is queued)",
                s -> s.oldestQueuedAgeSeconds());
        gauge(
                registry,
                "reconciler.orders.stuck",
                null,
                "Processing orders waiting on a task unchanged for longer than reconciler.stuck-task-after",
                s -> s.stuck());
        for (NotificationStatus status : NotificationStatus.values()) {
            Gauge.builder(
                            "reconciler.notifications.status",
                            this,
                            g -> g.current().byStatus().getOrDefault(status.code(), 0L))
                    .tag("status", status.code())
                    .description("Notifications by status")
                    .register(registry);
        }
    }

    private void gauge(
            MeterRegistry registry, String name, String unit, String description, ToDoubleFunction<Snapshot> value) {
        Gauge.Builder<BacklogGauges> builder =
                Gauge.builder(name, this, g -> value.applyAsDouble(g.current())).description(description);
        if (unit != null) {
            builder.baseUnit(unit);
        }
        builder.register(registry);
    }

    /** The figures, read again when older than {@link #REFRESH}. */
    public synchronized Snapshot current() {
        if (snapshot == null || stale || System.nanoTime() - snapshot.readAtNanos() >= REFRESH.toNanos()) {
            try {
                stale = false;
                snapshot = read();
            } catch (RuntimeException e) {
                log.debug("backlog gauges not refreshed: {}", e.getMessage());
                if (snapshot == null) {
                    snapshot = new Snapshot(
                            Double.NaN, 0, Double.NaN, 0, List.of(), Map.of(), null, 0, 0, System.nanoTime(), null);
                }
            }
        }
        return snapshot;
    }

    /**
     * The last snapshot read, whatever its age, unless an execution ended since or none was read:
     * then read now ({@link #current()}). For pages and health details, which say when it was read.
     */
    public Snapshot recent() {
        synchronized (this) {
            if (snapshot != null && !stale) {
                return snapshot;
            }
        }
        return current();
    }

    @Override
    public void afterJob(JobExecution execution) {
        stale = true;
    }

    private Snapshot read() {
        Instant now = clock.now();
        Instant lastCompleted = history.lastCompletedEnd(OrderCompletionJobConfiguration.JOB_NAME)
                .orElseGet(() -> now.minusNanos(System.nanoTime() - startedAtNanos));
        Instant oldest = clock.instantOf(notifications.oldestQueued());
        RunPreview.Group stuck = rules.stuckWithCodes(rules.stuckCount(), LISTED);
        return new Snapshot(
                seconds(lastCompleted, now),
                rules.finishedCount(),
                oldest == null ? 0 : seconds(oldest, now),
                stuck.count(),
                stuck.first(),
                notifications.countsByStatus(),
                oldest,
                notifications.withUncertainDeliveries(),
                failures.count(),
                System.nanoTime(),
                now);
    }

    private static double seconds(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toMillis() / 1000.0);
    }
}
