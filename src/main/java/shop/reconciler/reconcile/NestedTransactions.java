package shop.reconciler.reconcile;

import java.util.function.Function;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * Work in a nested transaction of the chunk's: Spring's {@code PROPAGATION_NESTED}, which the
 * {@code DataSourceTransactionManager} keeps as a JDBC savepoint of the chunk's connection. The
 * work's changes are undone alone when it fails or asks for it ({@link
 * TransactionStatus#setRollbackOnly}); the chunk's other changes stay.
 *
 * <p>Not {@code TransactionTemplate}: when the database has already rolled back the whole
 * transaction (a deadlock), the savepoint is gone, and the template would throw the failed undo
 * in place of the work's own exception, whose type the step's retry of lock conflicts needs. Here
 * the work's exception is thrown as it is, a failed undo added to it as suppressed.
 */
final class NestedTransactions {

    private static final TransactionDefinition NESTED =
            new DefaultTransactionDefinition(TransactionDefinition.PROPAGATION_NESTED);

    private final PlatformTransactionManager transactionManager;

    NestedTransactions(PlatformTransactionManager transactionManager) {
        this.transactionManager = transactionManager;
    }

    /**
     * Runs {@code work} in a nested transaction: kept when it returns, undone when it set the
     * status rollback-only or threw (the exception then goes on).
     */
    <T> T run(Function<TransactionStatus, T> work) {
        TransactionStatus status = transactionManager.getTransaction(NESTED);
        T result;
        try {
            result = work.apply(status);
        } catch (RuntimeException | Error e) {
            try {
                transactionManager.rollback(status);
            } catch (RuntimeException undoFailed) {
                e.addSuppressed(undoFailed);
            }
            throw e;
        }
        // a status set rollback-only is rolled back by commit
        transactionManager.commit(status);
        return result;
    }
}
