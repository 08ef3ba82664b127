package shop.reconciler.operations;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;
import shop.reconciler.addressing.EmailAddresses;
import shop.reconciler.audit.Actor;
import shop.reconciler.audit.AuditTrail;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.outbox.NotificationStatus;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.outbox.NotificationStore.RequeueFilter;
import shop.reconciler.outbox.NotificationStore.UncertainRows;

/**
 * {@code requeue <orderCode>... [--uncertain]} or {@code requeue --failed [--skipped]
 * [--uncertain] [--since D] [--error-contains X] [--limit N]}: puts notifications that were not
 * sent back in the queue, for the next run's send step, without SQL.
 *
 * <ol>
 *   <li>Only {@code failed} ones, and {@code skipped} ones when {@code --skipped} asks for them; a
 *       {@code sent} or {@code queued} one is never touched, and no second row is ever created
 *       (the row itself goes back).
 *   <li>A notification with deliveries of unknown outcome (the server may have taken the message
 *       already, once or twice) only with {@code --uncertain}: a requeue of its code refuses with
 *       what to check first (its Message-ID in the mail server's log), a requeue by filter leaves
 *       it out and counts it. With {@code --uncertain} it gets exactly one more delivery (see
 *       {@link NotificationStore#REQUEUE_SQL}): so never more than one further copy.
 *   <li>The order's address is read again and checked as the reconciler checks it: the shop may
 *       have corrected it. Without a usable one the row stays as it is.
 *   <li>By filter, the rows are counted by the database and read a page at a time; at most
 *       {@code --limit} lines are shown, the counts cover every row. {@code --dry-run} reads only
 *       the rows it shows and changes nothing.
 *   <li>Each update is guarded by the status the row was read with, so a row someone else changed
 *       meanwhile is left alone.
 *   <li>A requeue that is not a dry run is an operator action: one row in the audit trail.
 * </ol>
 *
 * Exit 0 when at least one row was (or, dry, would be) requeued, 1 when nothing matched.
 */
@Component
public class RequeueService {

    /** Rows read per statement when requeueing by filter. */
    static final int PAGE = 500;

    /** What happened to one row, or to an order code without one. */
    public enum Outcome {
        REQUEUED,
        WOULD_REQUEUE,
        LEFT,
        /** Deliveries of unknown outcome, and no {@code --uncertain}: left as it is. */
        REFUSED,
        NO_ADDRESS,
        NOT_FOUND
    }

    public record Line(String orderCode, String status, Outcome outcome, String detail) {}

    /**
     * What a requeue did.
     *
     * @param requeued rows put back (dry: that would be; by filter beyond the lines shown, every
     *     matching row whose address is not known to be unusable)
     * @param matched rows that matched (by filter: counted by the database)
     * @param uncertainLeftOut rows left as they are because their deliveries' outcome is unknown
     *     and {@code --uncertain} was not given
     * @param linesOmitted lines not shown beyond {@code --limit}
     */
    public record Result(
            boolean dryRun,
            long requeued,
            long matched,
            long uncertainLeftOut,
            List<Line> lines,
            long linesOmitted,
            String summary) {}

    /**
     * What to requeue: order codes, or (none given) a filter, as the command line's options and the
     * console's form give it. A null {@code since} or {@code errorContains} is no filter; by filter,
     * {@code limit} bounds the lines shown, the counts cover every row. Its fields are read as the
     * command's options were.
     */
    public static final class Request {
        final List<String> orderCodes;
        final boolean failed;
        final boolean skipped;
        final boolean uncertain;
        final Since since;
        final String errorContains;
        final boolean dryRun;
        final int limit;

        public Request(
                List<String> orderCodes,
                boolean failed,
                boolean skipped,
                boolean uncertain,
                Since since,
                String errorContains,
                boolean dryRun,
                int limit) {
            this.orderCodes = List.copyOf(orderCodes);
            this.failed = failed;
            this.skipped = skipped;
            this.uncertain = uncertain;
            this.since = since;
            this.errorContains = errorContains;
            this.dryRun = dryRun;
            this.limit = limit;
        }

        boolean byFilter() {
            return orderCodes.isEmpty();
        }
    }

    private final NotificationStore notifications;
    private final AuditTrail audit;
    private final int maxAttempts;

    RequeueService(NotificationStore notifications, AuditTrail audit, ReconcilerProperties properties) {
        this.notifications = notifications;
        this.audit = audit;
        this.maxAttempts = properties.mail().maxAttempts();
    }

    /**
     * {@code requeue <orderCode>... [--uncertain]}, for the console: the same rules, the same
     * lines, the same audit row.
     */
    public Result requeueOrders(List<String> orderCodes, boolean uncertain, Actor who) {
        return requeue(new Request(orderCodes, false, false, uncertain, null, null, false, 50), who);
    }

    /** A requeue by {@code who}; recorded in the audit trail unless it is a dry run. */
    public Result requeue(Request arguments, Actor who) {
        Result result = arguments.byFilter() ? byFilter(arguments) : byCodes(arguments);
        if (!arguments.dryRun) {
            audit.append(
                    who,
                    new AuditTrail.Action("requeue", target(arguments), null, result.requeued(), result.summary()));
        }
        return result;
    }

    private Result byCodes(Request arguments) {
        Set<NotificationStatus> wanted = EnumSet.of(NotificationStatus.FAILED);
        if (arguments.skipped) {
            wanted.add(NotificationStatus.SKIPPED);
        }
        List<NotificationStore.Row> rows = notifications.byOrderCodes(arguments.orderCodes);
        List<Line> lines = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        rows.forEach(r -> seen.put(r.orderCode().toLowerCase(Locale.ROOT), true));
        for (String code : arguments.orderCodes) {
            if (!seen.containsKey(code.toLowerCase(Locale.ROOT))) {
                lines.add(new Line(code, null, Outcome.NOT_FOUND, "no notification (unknown or not completed)"));
            }
        }
        long requeued = 0;
        long refused = 0;
        for (NotificationStore.Row row : rows) {
            Line line = requeue(row, wanted, arguments.uncertain, arguments.dryRun);
            if (line.outcome() == Outcome.REQUEUED || line.outcome() == Outcome.WOULD_REQUEUE) {
                requeued++;
            } else if (line.outcome() == Outcome.REFUSED) {
                refused++;
            }
            lines.add(line);
        }
        return new Result(
                arguments.dryRun,
                requeued,
                rows.size(),
                refused,
                lines,
                0,
                summary(arguments.dryRun, requeued, refused, false));
    }

    private Result byFilter(Request arguments) {
        Set<NotificationStatus> wanted = EnumSet.noneOf(NotificationStatus.class);
        if (arguments.failed || arguments.uncertain) {
            wanted.add(NotificationStatus.FAILED);
        }
        if (arguments.skipped) {
            wanted.add(NotificationStatus.SKIPPED);
        }
        UncertainRows uncertain = !arguments.uncertain
                ? UncertainRows.EXCLUDED
                : arguments.failed || arguments.skipped ? UncertainRows.INCLUDED : UncertainRows.ONLY;
        RequeueFilter filter = new RequeueFilter(
                wanted,
                arguments.since == null ? null : arguments.since.from(notifications.databaseNow()),
                arguments.errorContains,
                uncertain);
        NotificationStore.RequeueCount count = notifications.countForRequeue(filter);
        List<Line> lines = new ArrayList<>();
        long requeued = 0;
        long seen = 0;
        long notRequeued = 0;
        for (NotificationStatus status : wanted) {
            long afterId = 0;
            while (!(arguments.dryRun && seen >= arguments.limit)) {
                int size = arguments.dryRun ? (int) Math.min(PAGE, arguments.limit - seen) : PAGE;
                List<NotificationStore.Row> page = notifications.pageForRequeue(filter, status, afterId, size);
                for (NotificationStore.Row row : page) {
                    Line line = requeue(row, wanted, arguments.uncertain, arguments.dryRun);
                    seen++;
                    if (line.outcome() == Outcome.REQUEUED || line.outcome() == Outcome.WOULD_REQUEUE) {
                        requeued++;
                    } else {
                        notRequeued++;
                    }
                    if (lines.size() < arguments.limit) {
                        lines.add(line);
                    }
                    afterId = row.id();
                }
                if (page.size() < size) {
                    break;
                }
            }
        }
        // a dry run reads only the rows it shows: the rest count as they were counted
        long total = arguments.dryRun ? Math.max(count.matched() - notRequeued, 0) : requeued;
        boolean partial = arguments.dryRun && seen < count.matched();
        return new Result(
                arguments.dryRun,
                total,
                count.matched(),
                count.uncertainLeftOut(),
                lines,
                Math.max(arguments.dryRun ? count.matched() - lines.size() : seen - lines.size(), 0),
                summary(arguments.dryRun, total, count.uncertainLeftOut(), partial));
    }

    private static String summary(boolean dryRun, long requeued, long uncertainLeftOut, boolean partial) {
        String line =
                (dryRun ? "would requeue " + (partial ? "up to " : "") : "requeued ") + requeued + " notification(s)";
        if (partial) {
            line += " (the rest of them unread: an order without a usable address is left as it is)";
        }
        if (uncertainLeftOut > 0) {
            line += "; left out " + uncertainLeftOut + " with deliveries of unknown outcome (the customer may have"
                    + " the email already): check the mail server's log for their Message-IDs, then requeue them"
                    + " with --uncertain";
        }
        return line;
    }

    private Line requeue(NotificationStore.Row row, Set<NotificationStatus> wanted, boolean uncertain, boolean dryRun) {
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
        if (row.uncertainDeliveries() > 0 && !uncertain) {
            return new Line(
                    row.orderCode(),
                    row.status(),
                    Outcome.REFUSED,
                    row.uncertainDeliveries() + " delivery(ies) of unknown outcome: the customer may have it"
                            + " already; look for Message-ID " + row.messageId() + " in the mail server's log first,"
                            + " then 'requeue --uncertain " + row.orderCode() + "' sends it exactly once more");
        }
        EmailAddresses.Checked address = EmailAddresses.check(row.currentEmail());
        if (!address.ok()) {
            return new Line(row.orderCode(), row.status(), Outcome.NO_ADDRESS, address.problem() + "; left as it is");
        }
        String detail = "to " + address.address() + ", was " + row.attempts() + " attempt(s)"
                + (row.uncertainDeliveries() == 0
                        ? ""
                        : ", " + row.uncertainDeliveries() + " delivery(ies) of unknown outcome: exactly one more"
                                + " delivery (an unknown outcome or a failure makes it failed again)")
                + (row.lastError() == null ? "" : ", last error: " + JobRunner.firstLine(row.lastError()));
        if (dryRun) {
            return new Line(row.orderCode(), row.status(), Outcome.WOULD_REQUEUE, detail);
        }
        if (notifications.requeue(row.id(), row.orderCode(), status, address.address(), uncertain, maxAttempts)) {
            return new Line(row.orderCode(), row.status(), Outcome.REQUEUED, detail);
        }
        return new Line(row.orderCode(), row.status(), Outcome.LEFT, "changed by someone else meanwhile");
    }

    /** The rows the operator named: the order codes, or the filter as it was given. */
    private static String target(Request arguments) {
        List<String> words = new ArrayList<>();
        if (arguments.byFilter()) {
            if (arguments.failed) {
                words.add("--failed");
            }
            if (arguments.skipped) {
                words.add("--skipped");
            }
            if (arguments.uncertain) {
                words.add("--uncertain");
            }
            if (arguments.since != null) {
                words.add("--since "
                        + (arguments.since.at() != null
                                ? arguments.since.at().toString()
                                : shop.reconciler.text.Durations.format(arguments.since.ago())));
            }
            if (arguments.errorContains != null) {
                words.add("--error-contains '" + arguments.errorContains + "'");
            }
            return String.join(" ", words);
        }
        if (arguments.skipped) {
            words.add("--skipped");
        }
        if (arguments.uncertain) {
            words.add("--uncertain");
        }
        words.addAll(arguments.orderCodes);
        return String.join(" ", words);
    }
}
