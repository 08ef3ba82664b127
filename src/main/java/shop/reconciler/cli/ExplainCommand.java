package shop.reconciler.cli;

import java.io.PrintStream;
import java.util.Locale;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import shop.reconciler.operations.ExplainService;
import shop.reconciler.operations.ExplainService.Explanation;
import shop.reconciler.operations.ExplainService.Task;
import shop.reconciler.operations.NotificationView;
import shop.reconciler.text.Ago;

/** {@code explain <orderCode> [--json]}: {@link ExplainService}'s explanation as text or JSON. */
@Component
@Order(90)
@Command(
        name = "explain",
        description = "why an order is still open, or which run completed it and what became of its email"
                + " (0, 1 unknown order)")
final class ExplainCommand extends ReportCommand<Explanation> {

    @Parameters(paramLabel = "<orderCode>", description = "the order's code")
    String orderCode;

    private final ExplainService explain;

    ExplainCommand(ExplainService explain) {
        this.explain = explain;
    }

    @Override
    Explanation answer(PrintStream err) {
        Explanation explanation = explain.explain(orderCode).orElse(null);
        if (explanation == null) {
            err.println("order-reconciler: explain: no order with code '" + Output.text(orderCode) + "'");
        }
        return explanation;
    }

    @Override
    void print(Explanation e, PrintStream out) {
        out.println(
                "order " + Output.text(e.orderCode()) + " (id " + e.orderId() + "): " + Output.text(e.orderStatus()));
        out.println(Output.text(e.reason()));
        for (Task task : e.tasks()) {
            out.printf(
                    "  task %-8d %-12s %-10s changed %s ago%s  %s%n",
                    task.id(),
                    Output.text(String.valueOf(task.status())),
                    task.state().name().toLowerCase(Locale.ROOT),
                    Ago.of(task.changedSecondsAgo()),
                    task.stuck() ? " STUCK" : "",
                    Output.text(task.title()));
        }
        if (e.notListed() > 0) {
            out.println("  ... and " + e.notListed() + " more task(s) of " + e.taskCount() + " not listed (the first "
                    + ExplainService.TASK_LIMIT + ", those holding the order open first)");
        }
        NotificationView n = e.notification();
        if (n == null) {
            out.println("notification: none");
        } else {
            out.println("notification: " + n.status() + ", " + n.attempts() + " attempt(s)"
                    + (n.uncertainDeliveries() == 0
                            ? ""
                            : ", " + n.uncertainDeliveries() + " of unknown outcome (the server may have it)")
                    + ", to "
                    + Output.text(n.recipient())
                    + (n.messageId() == null
                            ? ", no Message-ID yet (given when it is queued again)"
                            : ", Message-ID " + Output.text(n.messageId())));
            out.println("  queued " + n.createdAt() + (n.sentAt() == null ? ", not sent" : ", sent " + n.sentAt())
                    + (n.lastError() == null ? "" : ", last error: " + Output.text(n.lastError())));
        }
    }
}
