package shop.reconciler.reconcile;

import java.time.Duration;
import java.util.List;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ItemProcessor;
import shop.reconciler.progress.StepCounters;

/**
 * Lets through only finished orders; the rest are filtered (Spring Batch's filter count). An order
 * without any task is an anomaly: it is counted and its code kept for the step's summary line
 * ({@link OrderConditions}), never completed. So is an order with a task whose status is unknown,
 * and an open order waiting on a task unchanged for longer than {@code reconciler.stuck-task-after}
 * (stuck), so that {@code status} can show the step's figures instead of counting again.
 */
class FinishedOrderFilter implements ItemProcessor<OrderTally, OrderTally> {

    private final StepExecution stepExecution;

    FinishedOrderFilter(StepExecution stepExecution, Duration stuckAfter) {
        this.stepExecution = stepExecution;
        stepExecution.getExecutionContext().putLong(ReconcileCounters.STUCK_AFTER_SECONDS, stuckAfter.toSeconds());
    }

    @Override
    public OrderTally process(OrderTally order) {
        if (order.unknownStatusCount() > 0) {
            OrderConditions.add(
                    stepExecution.getExecutionContext(), ReconcileCounters.UNKNOWN_STATUS, List.of(order.orderCode()));
        }
        if (order.isFinished()) {
            return order;
        }
        if (order.isAnomaly()) {
            OrderConditions.add(
                    stepExecution.getExecutionContext(), ReconcileCounters.ANOMALIES, List.of(order.orderCode()));
        } else {
            StepCounters.add(stepExecution.getExecutionContext(), ReconcileCounters.STILL_OPEN, 1);
            if (order.isStuck()) {
                OrderConditions.add(
                        stepExecution.getExecutionContext(), ReconcileCounters.STUCK, List.of(order.orderCode()));
            }
        }
        return null;
    }
}
