package shop.reconciler.ops;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import shop.reconciler.EmailAddresses;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;

/**
 * {@code requeue <orderCode>...} or {@code requeue --failed [--skipped] [--since D]
 * [--error-contains X]}: puts notifications that were not sent back in the queue, for the next
 * run's send step, without SQL.
 *
 * <ol>
 *   <li>Only {@code failed} ones, and {@code skipped} ones when {@code --skipped} asks for them; a
 *       {@code sent} or {@code queued} one is never touched, and no second row is ever created
 *       (the row itself goes back).
 *   <li>The order's address is read again and checked as the reconciler checks it: the shop may
 *       have corrected it. Without a usable one the row stays as it is.
 *   <li>Attempts, deliveries of unknown outcome, error and claim are reset (an operator who
 *       requeues a row failed after two uncertain deliveries decides it is sent once more; the
 *       line says so); the update is guarded by the status the row was read
 *       with, so a row someone else changed meanwhile is left alone.
 *   <li>{@code --dry-run} prints the same lines and changes nothing.
 * </ol>
 *
 * Exit 0 when at least one row was (or, dry, would be) requeued, 1 when nothing matched.
 */
@Component
public class RequeueCommand {

    /** What happened to one row, or to an order code without one. */
    public enum Outcome {
        REQUEUED,
        WOULD_REQUEUE,
        LEFT,
        NO_ADDRESS,
        NOT_FOUND
    }

    public record Line(String orderCode, String status, Outcome outcome, String detail) {}

    public record Result(boolean dryRun, long requeued, List<Line> lines) {}

    private final NotificationStore notifications;

    RequeueCommand(NotificationStore notifications) {
        this.notifications = notifications;
    }

    int execute(Arguments.Requeue arguments, PrintStream out) {
        Result result = requeue(arguments);
        if (arguments.json) {
            out.println(Output.json(result));
        } else {
            for (Line line : result.lines()) {
                out.println(line.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " "
                        + Output.text(line.orderCode())
                        + (line.status() == null ? "" : " (" + line.status() + ")") + ": "
                        + Output.text(line.detail()));
            }
            out.println((result.dryRun() ? "would requeue " : "requeued ") + result.requeued() + " notification(s)");
        }
        return result.requeued() > 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** {@code requeue <orderCode>...}, for the console: the same rules, the same lines. */
    public Result requeueOrders(List<String> orderCodes) {
        Arguments.Requeue arguments = new Arguments.Requeue();
        arguments.orderCodes = new ArrayList<>(orderCodes);
        return requeue(arguments);
    }

    Result requeue(Arguments.Requeue arguments) {
        Set<NotificationStatus> wanted = EnumSet.noneOf(NotificationStatus.class);
        if (arguments.failed || !arguments.byFilter()) {
            wanted.add(NotificationStatus.FAILED);
        }
        if (arguments.skipped) {
            wanted.add(NotificationStatus.SKIPPED);
        }
        List<NotificationStore.Row> rows;
        List<Line> lines = new ArrayList<>();
        if (arguments.byFilter()) {
            rows = notifications.byFilter(
                    wanted,
                    arguments.since == null ? null : arguments.since.from(notifications.databaseNow()),
                    arguments.errorContains);
        } else {
            rows = notifications.byOrderCodes(arguments.orderCodes);
            Map<String, Boolean> seen = new LinkedHashMap<>();
            rows.forEach(r -> seen.put(r.orderCode().toLowerCase(Locale.ROOT), true));
            for (String code : arguments.orderCodes) {
                if (!seen.containsKey(code.toLowerCase(Locale.ROOT))) {
                    lines.add(new Line(code, null, Outcome.NOT_FOUND, "no notification (unknown or not completed)"));
                }
            }
        }
        long requeued = 0;
        for (NotificationStore.Row row : rows) {
            Line line = requeue(row, wanted, arguments.dryRun);
            if (line.outcome() == Outcome.REQUEUED || line.outcome() == Outcome.WOULD_REQUEUE) {
                requeued++;
            }
            lines.add(line);
        }
        return new Result(arguments.dryRun, requeued, lines);
    }

    private Line requeue(NotificationStore.Row row, Set<NotificationStatus> wanted, boolean dryRun) {
        NotificationStatus status = NotificationStatus.ofCode(row.status());
        if (status == null || !wanted.contains(status)) {
            String why = status == NotificationStatus.SKIPPED
                    ? "skipped on purpose (backlog); add --skipped to send it anyway"
                    : status == NotificationStatus.SENT
                            ? "sent " + row.sentAt() + "; a sent notification is never requeued"
                            : status == NotificationStatus.QUEUED
                                    ? "already queued (" + row.attempts() + " attempt(s) so far)"
                                    : "left as it is";
            return new Line(row.orderCode(), row.status(), Outcome.LEFT, why);
        }
        EmailAddresses.Checked address = EmailAddresses.check(row.currentEmail());
        if (!address.ok()) {
            return new Line(row.orderCode(), row.status(), Outcome.NO_ADDRESS, address.problem() + "; left as it is");
        }
        String detail = "to " + address.address() + ", was " + row.attempts() + " attempt(s)"
                + (row.uncertainDeliveries() == 0
                        ? ""
                        : ", " + row.uncertainDeliveries() + " delivery(ies) of unknown outcome (the server may"
                                + " already have it: requeueing sends it once more)")
                + (row.lastError() == null ? "" : ", last error: " + JobRunner.firstLine(row.lastError()));
        if (dryRun) {
            return new Line(row.orderCode(), row.status(), Outcome.WOULD_REQUEUE, detail);
        }
        if (notifications.requeue(row.id(), row.orderCode(), status, address.address())) {
            return new Line(row.orderCode(), row.status(), Outcome.REQUEUED, detail);
        }
        return new Line(row.orderCode(), row.status(), Outcome.LEFT, "changed by someone else meanwhile");
    }
}
