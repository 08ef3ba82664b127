package shop.reconciler.cli;

import java.io.PrintStream;
import java.util.List;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import shop.reconciler.operations.JobRunner;
import shop.reconciler.operations.NotificationView;
import shop.reconciler.operations.NotificationsService;
import shop.reconciler.operations.Since;

/**
 * {@code notifications [--status S] [--since D] [--error-contains X] [--limit N] [--json]}: the
 * outbox, newest first ({@link NotificationsService}).
 */
@Component
@Order(100)
@Command(name = "notifications", description = "list notifications, newest first (0, 1 none matched)")
final class NotificationsCommand extends ReportCommand<List<NotificationView>> {

    @Option(names = "--status", paramLabel = "S", description = "only this status: queued, sent, failed or skipped")
    NotificationView.Status status;

    @Option(
            names = "--since",
            paramLabel = "D",
            converter = SinceConverter.class,
            description = "only those created since: a duration back (24h, 7d) or a date (2026-12-01[T10:00])")
    Since since;

    @Option(names = "--error-contains", paramLabel = "X", description = "only those whose last error contains X")
    String errorContains;

    @Option(names = "--limit", paramLabel = "N", description = "at most N, 1 to 1000 (default 50)")
    int limit = 50;

    private final NotificationsService notifications;

    NotificationsCommand(NotificationsService notifications) {
        this.notifications = notifications;
    }

    @Override
    public void check() {
        Arguments.limit(limit);
        if (errorContains != null && errorContains.isEmpty()) {
            throw new Cli.UsageException("--error-contains takes some text");
        }
    }

    @Override
    List<NotificationView> answer(PrintStream err) {
        return notifications.list(new NotificationsService.Filter(status, since, errorContains, limit));
    }

    @Override
    int exitCode(List<NotificationView> rows) {
        return rows.isEmpty() ? ExitCodes.FAILED : ExitCodes.OK;
    }

    @Override
    void print(List<NotificationView> rows, PrintStream out) {
        if (rows.isEmpty()) {
            out.println("no notification matched");
        } else {
            out.printf(
                    "%-23s %-20s %-8s %8s  %-23s %s%n", "queued", "order", "status", "attempts", "sent", "recipient");
            for (NotificationView row : rows) {
                out.printf(
                        "%-23s %-20s %-8s %8d  %-23s %s%n",
                        row.createdAt(),
                        Output.text(row.orderCode()),
                        row.status(),
                        row.attempts(),
                        row.sentAt() == null ? "-" : row.sentAt().toString(),
                        Output.text(row.recipient()));
                if (row.uncertainDeliveries() > 0) {
                    out.println("    deliveries of unknown outcome: " + row.uncertainDeliveries());
                }
                if (row.lastError() != null) {
                    out.println("    last error: " + Output.text(JobRunner.firstLine(row.lastError())));
                }
            }
        }
    }
}
