package shop.reconciler.monitor;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.stereotype.Component;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.DatabaseClock;
import shop.reconciler.history.JobHistory;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.reconcile.OrderCompletionJobConfiguration;

/**
 * {@code reconciler} in {@code /actuator/health}: DOWN when no execution of the job has completed
 * within {@code reconciler.health.stale-after-runs} schedule intervals, or when notifications
 * failed to be delivered (status {@code failed} after at least one send attempt). Notifications
 * that failed for want of a valid recipient are a data problem shown by {@code status}, not here.
 * The number of stuck orders is a detail, from the backlog gauges' last read ({@link BacklogGauges#recent()}).
 * The silence is measured on the database's clock, the last run's end read in the zone of the node
 * that ran it, so nodes in other zones, or a database in another zone, agree. Only {@code serve}
 * answers health: a short command, no web application, makes none.
 */
@Component("reconciler")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class ReconcilerHealthIndicator extends AbstractHealthIndicator {

    private final JobHistory history;
    private final ReconcilerProperties properties;
    private final NotificationStore notificationStore;
    private final BacklogGauges backlog;
    private final DatabaseClock clock;
    private final long startedAtNanos = System.nanoTime();

    ReconcilerHealthIndicator(
            JobHistory history,
            ReconcilerProperties properties,
            NotificationStore notificationStore,
            BacklogGauges backlog,
            DatabaseClock clock) {
        this.history = history;
        this.properties = properties;
        this.notificationStore = notificationStore;
        this.backlog = backlog;
        this.clock = clock;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Duration allowed =
                interval(LocalDateTime.now()).multipliedBy(properties.health().staleAfterRuns());
        Instant now = clock.now();
        Instant last = history.lastCompletedEnd(OrderCompletionJobConfiguration.JOB_NAME)
                .orElse(null);
        Long undelivered = notificationStore.givenUp();
        Instant since = last == null ? now.minusNanos(System.nanoTime() - startedAtNanos) : last;
        boolean stale = Duration.between(since, now).compareTo(allowed) > 0;
        builder.withDetail("lastCompletedRun", last == null ? "none" : last.toString())
                .withDetail("allowedSilence", allowed.toString())
                .withDetail("undeliveredNotifications", undelivered)
                // stuck orders need someone to look at a worker; they do not make the reconciler unhealthy
                .withDetail("stuckOrders", backlog.recent().stuck());
        if (stale || (undelivered != null && undelivered > 0)) {
            builder.down();
        } else {
            builder.up();
        }
    }

    private Duration interval(LocalDateTime now) {
        CronExpression cron = CronExpression.parse(properties.cron());
        LocalDateTime next = cron.next(now);
        LocalDateTime after = next == null ? null : cron.next(next);
        return next == null || after == null ? Duration.ofDays(1) : Duration.between(next, after);
    }
}
