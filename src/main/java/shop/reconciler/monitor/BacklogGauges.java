package shop.reconciler.monitor;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.stereotype.Component;
import shop.reconciler.history.JobHistory;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.reconcile.OrderCompletionJobConfiguration;
import shop.reconciler.reconcile.RunPreview;

/**
 * The signals that catch a silent failure, as gauges: how long since the job last completed, how
 * many processing orders are finished but not completed yet, how old the oldest queued email is,
 * how many orders are stuck, and the notifications by status.
 *
 * <p>They are read from the database together, at most once per {@link #REFRESH} whoever asks (a
 * scrape reads every gauge, and each would otherwise run its own queries), through the same rules
 * the commands use ({@link RunPreview}, {@link NotificationStore}, {@link JobHistory}). When the
 * database does not answer, the gauges keep their last values. The console's overview shows the
 * same {@link #current()} snapshot. The end of an execution makes the next read fresh, so that the
 * figures a {@code run} pushes at its end (and a scrape right after a run) are the backlog it left.
 */
@Component
public class BacklogGauges implements JobExecutionListener {

    public static final Duration REFRESH = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(BacklogGauges.class);

    /**
     * The figures as last read.
     *
     * @param lastCompletedAgeSeconds since the last completed execution ended (since this process
     *     started, if none); NaN until the database first answered
     * @param finishedNotCompleted processing orders whose tasks are all terminal, not completed yet
     * @param oldestQueuedAgeSeconds age of the oldest queued notification, 0 when none; NaN as above
     * @param stuck processing orders waiting on a task unchanged for longer than stuck-task-after
     * @param readAtNanos {@link System#nanoTime()} of the read
     */
    public record Snapshot(
            double lastCompletedAgeSeconds,
            long finishedNotCompleted,
            double oldestQueuedAgeSeconds,
            long stuck,
            Map<String, Long> byStatus,
            long readAtNanos) {}

    private final JobHistory history;
    private final NotificationStore notifications;
    private final RunPreview rules;
    private final LocalDateTime startedAt = LocalDateTime.now();
    private Snapshot snapshot;
    private volatile boolean stale;

    BacklogGauges(MeterRegistry registry, JobHistory history, NotificationStore notifications, RunPreview rules) {
        this.history = history;
        this.notifications = notifications;
        this.rules = rules;
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
                    snapshot = new Snapshot(Double.NaN, 0, Double.NaN, 0, Map.of(), System.nanoTime());
                }
            }
        }
        return snapshot;
    }

    @Override
    public void afterJob(JobExecution execution) {
        stale = true;
    }

    private Snapshot read() {
        LocalDateTime now = LocalDateTime.now();
        LocalDateTime lastCompleted = history.lastCompletedEnd(OrderCompletionJobConfiguration.JOB_NAME)
                .orElse(startedAt);
        Timestamp oldest = notifications.oldestQueued();
        return new Snapshot(
                Math.max(0, Duration.between(lastCompleted, now).toMillis() / 1000.0),
                rules.finishedCount(),
                oldest == null
                        ? 0
                        : Math.max(
                                0,
                                Duration.between(oldest.toLocalDateTime(), now).toMillis() / 1000.0),
                rules.stuck(0).count(),
                notifications.countsByStatus(),
                System.nanoTime());
    }
}
