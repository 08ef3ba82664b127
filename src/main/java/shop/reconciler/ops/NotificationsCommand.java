package shop.reconciler.ops;

import java.io.PrintStream;
import java.util.List;
import org.springframework.stereotype.Component;
import shop.reconciler.outbox.NotificationStore;

/** {@code notifications [--status S] [--since D] [--limit N] [--json]}: the outbox, newest first. */
@Component
class NotificationsCommand {

    private final NotificationStore notifications;

    NotificationsCommand(NotificationStore notifications) {
        this.notifications = notifications;
    }

    int execute(Arguments.Notifications arguments, PrintStream out) {
        List<NotificationStore.Row> rows = notifications.list(
                arguments.status,
                arguments.since == null ? null : arguments.since.from(notifications.databaseNow()),
                arguments.limit);
        if (arguments.json) {
            out.println(Output.json(rows));
        } else if (rows.isEmpty()) {
            out.println("no notification matched");
        } else {
            out.printf(
                    "%-23s %-20s %-8s %8s  %-23s %s%n", "queued", "order", "status", "attempts", "sent", "recipient");
            for (NotificationStore.Row row : rows) {
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
        return rows.isEmpty() ? ExitCodes.FAILED : ExitCodes.OK;
    }
}
