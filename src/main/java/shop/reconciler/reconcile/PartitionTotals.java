package shop.reconciler.reconcile;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.springframework.batch.core.partition.StepExecutionAggregator;
import org.springframework.batch.core.partition.support.DefaultStepExecutionAggregator;
import org.springframework.batch.core.step.StepExecution;
import shop.reconciler.progress.StepCounters;

/**
 * The partitioned reconcile step's totals: Spring Batch's sums of the partitions' counts and
 * statuses, plus the sums of their {@link ReconcileCounters} and the first of their example codes, so that the step named
 * {@code reconcile} reports the same counters (logs, {@code status}, metrics) whether it ran in
 * partitions or not. (A failed partition's cause reaches {@code run} through the partition's own
 * step execution: {@code JobRunner} names the cause of the step that failed last.)
 */
class PartitionTotals implements StepExecutionAggregator {

    private final StepExecutionAggregator counts = new DefaultStepExecutionAggregator();

    @Override
    public void aggregate(StepExecution result, Collection<StepExecution> partitions) {
        counts.aggregate(result, partitions);
        for (String key : ReconcileCounters.ALL) {
            long total = 0;
            for (StepExecution partition : partitions) {
                total += StepCounters.get(partition.getExecutionContext(), key);
            }
            result.getExecutionContext().putLong(key, total);
        }
        partitions.stream()
                .filter(p -> p.getExecutionContext().containsKey(ReconcileCounters.STUCK_AFTER_SECONDS))
                .findFirst()
                .ifPresent(p -> result.getExecutionContext()
                        .putLong(
                                ReconcileCounters.STUCK_AFTER_SECONDS,
                                p.getExecutionContext().getLong(ReconcileCounters.STUCK_AFTER_SECONDS)));
        List<StepExecution> byName = partitions.stream()
                .sorted(Comparator.comparing(StepExecution::getStepName))
                .toList();
        for (String counter : OrderConditions.REPORTED.keySet()) {
            for (StepExecution partition : byName) {
                OrderConditions.addExamples(
                        result.getExecutionContext(),
                        counter,
                        OrderConditions.examples(partition.getExecutionContext(), counter));
            }
        }
    }
}
