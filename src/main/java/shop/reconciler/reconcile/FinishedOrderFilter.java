package shop.reconciler.reconcile;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ItemProcessor;
import shop.reconciler.StepCounters;

/**
 * Lets through only finished orders; the rest are filtered (Spring Batch's filter count). An order
 * without any task is an anomaly: it is logged with its code and counted, never completed.
 */
class FinishedOrderFilter implements ItemProcessor<OrderTally, OrderTally> {

    private static final Logger log = LoggerFactory.getLogger(FinishedOrderFilter.class);

    private final StepExecution stepExecution;

    FinishedOrderFilter(StepExecution stepExecution) {
        this.stepExecution = stepExecution;
    }

    @Override
    public OrderTally process(OrderTally order) {
        if (order.unknownStatusCount() > 0) {
            log.warn(
                    "order {} (id {}) has {} task(s) with a status the reconciler does not know; kept open",
                    order.orderCode(),
                    order.orderId(),
                    order.unknownStatusCount());
            StepCounters.add(stepExecution.getExecutionContext(), ReconcileCounters.UNKNOWN_STATUS, 1);
        }
        if (order.isFinished()) {
            return order;
        }
        if (order.isAnomaly()) {
            log.warn(
                    "anomaly: order {} (id {}) is processing but has no download task; left as it is",
                    order.orderCode(),
                    order.orderId());
            StepCounters.add(stepExecution.getExecutionContext(), ReconcileCounters.ANOMALIES, 1);
        } else {
            StepCounters.add(stepExecution.getExecutionContext(), ReconcileCounters.STILL_OPEN, 1);
        }
        return null;
    }
}
