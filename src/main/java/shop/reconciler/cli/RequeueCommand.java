package shop.reconciler.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import shop.reconciler.operations.RequeueService;
import shop.reconciler.operations.RequeueService.Result;
import shop.reconciler.operations.Since;

/**
 * {@code requeue <orderCode>... [--uncertain]} or {@code requeue --failed [--skipped] [--uncertain]
 * [--since D] [--error-contains X] [--dry-run] [--limit N]} ({@link RequeueService}): exit 0 when at
 * least one row was (or, dry, would be) requeued, 1 when nothing matched.
 */
@Component
@Order(110)
@Command(
        name = "requeue",
        description = "put failed (or, with --skipped, skipped) notifications back in the queue: by order code or"
                + " by filter; never a sent or queued one, and one with deliveries of unknown outcome only with"
                + " --uncertain (0, 1 none matched)")
final class RequeueCommand extends ReportCommand<Result> {

    @Parameters(arity = "0..*", paramLabel = "<orderCode>", description = "orders whose notification to requeue")
    List<String> orderCodes = new ArrayList<>();

    @Option(names = "--failed", description = "every failed notification (narrowed by --since, --error-contains)")
    boolean failed;

    @Option(
            names = "--skipped",
            description = "skipped ones too (backlog past reconciler.mail.max-age): only when asked")
    boolean skipped;

    @Option(
            names = "--uncertain",
            description = "ones with deliveries of unknown outcome too (the customer may have the email"
                    + " already: check the mail server's log for its Message-ID first); each gets exactly one"
                    + " more delivery. Alone: only those")
    boolean uncertain;

    @Option(
            names = "--since",
            paramLabel = "D",
            converter = SinceConverter.class,
            description = "only those that failed (last changed) since: a duration back (24h, 7d) or a date"
                    + " (2026-12-01[T10:00])")
    Since since;

    @Option(names = "--error-contains", paramLabel = "X", description = "only those whose last error contains X")
    String errorContains;

    @Option(names = "--dry-run", description = "show what would change, change nothing")
    boolean dryRun;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "by filter: lines shown, 1 to 1000 (default 50); the counts cover every row")
    int limit = 50;

    @Mixin
    ReasonOption reason = new ReasonOption();

    private final RequeueService requeue;

    RequeueCommand(RequeueService requeue) {
        this.requeue = requeue;
    }

    @Override
    public void check() {
        if (orderCodes.isEmpty() && !failed && !skipped && !uncertain) {
            throw new Cli.UsageException("usage: requeue <orderCode>... [--uncertain] | requeue --failed"
                    + " [--skipped] [--uncertain] [--since D] [--error-contains X] [--dry-run] [--limit N]");
        }
        if (!orderCodes.isEmpty() && (failed || since != null || errorContains != null)) {
            throw new Cli.UsageException(
                    "requeue takes order codes or a filter (--failed, --since, --error-contains), not both");
        }
        if (errorContains != null && errorContains.isEmpty()) {
            throw new Cli.UsageException("--error-contains takes some text");
        }
        Arguments.limit(limit);
        reason.check();
    }

    @Override
    Result answer(PrintStream err) {
        return requeue.requeue(
                new RequeueService.Request(orderCodes, failed, skipped, uncertain, since, errorContains, dryRun, limit),
                reason.actor());
    }

    @Override
    int exitCode(Result result) {
        return result.requeued() > 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }

    @Override
    void print(Result result, PrintStream out) {
        for (RequeueService.Line line : result.lines()) {
            out.println(line.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " "
                    + Output.text(line.orderCode())
                    + (line.status() == null ? "" : " (" + line.status() + ")") + ": "
                    + Output.text(line.detail()));
        }
        if (result.linesOmitted() > 0) {
            out.println("... " + result.linesOmitted() + " more line(s) not shown (--limit " + limit + ")");
        }
        out.println(result.summary());
    }
}
