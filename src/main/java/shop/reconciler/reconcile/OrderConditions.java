package shop.reconciler.reconcile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.text.Printable;

/**
 * The per-order conditions a reconcile step reports: their counts ({@link ReconcileCounters}) and
 * the first few order codes of each, kept in the step's execution context and logged as one
 * summary line per condition when the step ends, never one line per order: a shop with 30,000
 * anomalies would otherwise write 30,000 lines at every run. The full lists come from
 * {@code status}, {@code explain} and the metrics.
 */
final class OrderConditions {

    private static final Logger log = LoggerFactory.getLogger(OrderConditions.class);

    /** How many order codes each summary line shows. */
    static final int EXAMPLES = 5;

    /** The conditions, by counter, as the summary line names them. */
    static final Map<String, String> REPORTED = reported();

    private static Map<String, String> reported() {
        Map<String, String> reported = new LinkedHashMap<>();
        reported.put(ReconcileCounters.ANOMALIES, "processing order(s) without any task, left as they are");
        reported.put(
                ReconcileCounters.UNKNOWN_STATUS,
                "order(s) with a task status the reconciler does not know, kept open");
        reported.put(ReconcileCounters.CHANGED_BEFORE_WRITE, "finished order(s) changed before their write, left open");
        reported.put(
                ReconcileCounters.ALREADY_NOTIFIED,
                "order(s) completed again that already had a notification, kept as it was");
        reported.put(
                ReconcileCounters.NO_RECIPIENT, "order(s) completed without a usable recipient, notification failed");
        reported.put(
                ReconcileCounters.WRITE_FAILURES,
                "order(s) whose write the database refused, left processing (listed by status)");
        reported.put(
                ReconcileCounters.STUCK,
                "order(s) waiting on a task unchanged for longer than reconciler.stuck-task-after, kept open");
        return Map.copyOf(reported);
    }

    private OrderConditions() {}

    static String examplesKey(String counter) {
        return counter + ".examples";
    }

    /** Counts {@code codes.size()} orders under {@code counter} and keeps the first codes. */
    static void add(ExecutionContext context, String counter, Collection<String> codes) {
        if (codes.isEmpty()) {
            return;
        }
        StepCounters.add(context, counter, codes.size());
        addExamples(context, counter, codes);
    }

    static void addExamples(ExecutionContext context, String counter, Collection<String> codes) {
        List<String> examples = examples(context, counter);
        if (examples.size() >= EXAMPLES) {
            return;
        }
        List<String> more = new ArrayList<>(examples);
        for (String code : codes) {
            if (more.size() >= EXAMPLES) {
                break;
            }
            more.add(Printable.of(code));
        }
        context.put(examplesKey(counter), String.join(", ", more));
    }

    static List<String> examples(ExecutionContext context, String counter) {
        String joined = context.getString(examplesKey(counter), "");
        return joined.isEmpty() ? List.of() : List.of(joined.split(", "));
    }

    /** One line per condition that occurred in the step, with its count and first codes. */
    static void logSummary(StepExecution step) {
        ExecutionContext context = step.getExecutionContext();
        REPORTED.keySet().stream()
                .filter(ReconcileCounters.ALL::contains)
                .sorted((a, b) -> ReconcileCounters.ALL.indexOf(a) - ReconcileCounters.ALL.indexOf(b))
                .forEach(counter -> {
                    long count = StepCounters.get(context, counter);
                    if (count > 0) {
                        log.warn(
                                "{}: {} {} (e.g. {})",
                                step.getStepName(),
                                count,
                                REPORTED.get(counter),
                                String.join(", ", examples(context, counter)));
                    }
                });
    }

    /** Clears the examples when a step execution starts, as its counters are. */
    static void clear(ExecutionContext context) {
        REPORTED.keySet().forEach(counter -> context.remove(examplesKey(counter)));
    }
}
