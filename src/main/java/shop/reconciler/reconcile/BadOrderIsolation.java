package shop.reconciler.reconcile;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import shop.reconciler.db.DatabaseErrors;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.text.Printable;

/**
 * Finds the one order whose data the database refuses, so that it stops nothing else.
 *
 * <ol>
 *   <li>The orders are written in a nested transaction of the chunk's ({@link NestedTransactions}).
 *   <li>When the database refuses them for a reason that may be one order's own (not a lock
 *       conflict nor a lost connection: those fail the chunk as they are, to be retried or to fail
 *       the step), the nested transaction is undone and each half is written again the same way,
 *       down to the single order that fails.
 *   <li>That order is left as it was (still {@code processing}, no notification), counted, logged
 *       once with its code after the chunk commits, and recorded in {@link WriteFailures} for
 *       {@code status}; the rest of the chunk commits.
 *   <li>More than {@code reconciler.max-write-failures} such orders in one step execution fail the
 *       step: then something is wrong with every order, not with one.
 * </ol>
 */
final class BadOrderIsolation {

    private static final Logger log = LoggerFactory.getLogger(BadOrderIsolation.class);

    private final DataSource dataSource;
    private final NestedTransactions nested;
    private final WriteFailures writeFailures;
    private final int maxWriteFailures;
    private final StepExecution stepExecution;

    BadOrderIsolation(
            DataSource dataSource,
            NestedTransactions nested,
            WriteFailures writeFailures,
            int maxWriteFailures,
            StepExecution stepExecution) {
        this.dataSource = dataSource;
        this.nested = nested;
        this.writeFailures = writeFailures;
        this.maxWriteFailures = maxWriteFailures;
        this.stepExecution = stepExecution;
    }

    /** Writes the orders by {@code write}, setting aside the ones the database refuses. */
    ChunkOutcome write(List<OrderTally> orders, Function<List<OrderTally>, ChunkOutcome> write) {
        return writeIsolating(orders, write, new ChunkOutcome());
    }

    /**
     * Writes the orders in a nested transaction; if the database refuses them, writes each half
     * again, down to the order that fails, which is set aside. {@code soFar} is what this chunk set
     * aside before, for the step's limit.
     */
    private ChunkOutcome writeIsolating(
            List<OrderTally> orders, Function<List<OrderTally>, ChunkOutcome> write, ChunkOutcome soFar) {
        try {
            return nested.run(status -> write.apply(orders));
        } catch (RuntimeException e) {
            if (!isOneOrdersFault(e)) {
                throw e;
            }
            if (orders.size() == 1) {
                long before = StepCounters.get(stepExecution.getExecutionContext(), ReconcileCounters.WRITE_FAILURES);
                if (before + soFar.writeFailures.size() + 1 > maxWriteFailures) {
                    throw new WriteFailureLimitExceeded(maxWriteFailures, orders.get(0), e);
                }
                ChunkOutcome setAside = new ChunkOutcome();
                setAside(orders.get(0), e);
                setAside.writeFailures.add(orders.get(0).orderCode());
                soFar.add(setAside);
                return setAside;
            }
            int half = orders.size() / 2;
            ChunkOutcome outcome = writeIsolating(orders.subList(0, half), write, soFar);
            outcome.add(writeIsolating(orders.subList(half, orders.size()), write, soFar));
            return outcome;
        }
    }

    /**
     * Whether the failure may be this order's own: {@link DatabaseErrors#mayBeOneRowsFault} (not a
     * lock conflict, which is retried, nor a time-out, a lost connection or a statement every
     * order would fail alike), and the transaction's connection still works.
     */
    private boolean isOneOrdersFault(RuntimeException e) {
        if (e instanceof WriteFailureLimitExceeded || !DatabaseErrors.mayBeOneRowsFault(e)) {
            return false;
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            return connection.isValid(5);
        } catch (SQLException invalid) {
            return false;
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    /** Records the order that cannot be written; logs it once, after the chunk commits. */
    private void setAside(OrderTally order, RuntimeException cause) {
        String error = Printable.of(rootMessage(cause));
        boolean first;
        try {
            first = nested.run(status ->
                    writeFailures.record(order.orderId(), order.orderCode(), error, stepExecution.getJobExecutionId()));
        } catch (RuntimeException e) {
            log.error(
                    "order {} (id {}) could not be written ({}), nor recorded as such: {}",
                    Printable.of(order.orderCode()),
                    order.orderId(),
                    error,
                    Printable.of(rootMessage(e)));
            return;
        }
        if (first) {
            afterCommit(() -> log.warn(
                    "order {} (id {}) could not be written and is left processing, without notification: {};"
                            + " status lists it until it is completed",
                    Printable.of(order.orderCode()),
                    order.orderId(),
                    error));
        }
    }

    private static void afterCommit(Runnable action) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    action.run();
                }
            });
        } else {
            action.run();
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Thrown when a step execution has set aside more orders than {@code reconciler.max-write-failures}. */
    static final class WriteFailureLimitExceeded extends RuntimeException {
        WriteFailureLimitExceeded(int limit, OrderTally order, Throwable cause) {
            super(
                    "more than reconciler.max-write-failures (" + limit + ") orders could not be written;"
                            + " the last one, " + Printable.of(order.orderCode()) + " (id " + order.orderId()
                            + "): " + Printable.of(rootMessage(cause)),
                    cause);
        }
    }
}
