package shop.reconciler.reconcile;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The orders whose tasks the reader counted under shared locks in the current transaction: for
 * them the tally is the truth until the transaction ends, and the writer does not count again.
 *
 * <p>Bound to the transaction (as a resource of the data source), and gone with it: a chunk written
 * again after a lock conflict runs in a new transaction without the reader (Spring Batch keeps the
 * items it read), so there the writer finds nothing here and counts the tasks again under its own
 * locks.
 */
final class LockedTallies {

    /** Never equal to a data source: the key of this resource. */
    private record Key(DataSource dataSource) {}

    private LockedTallies() {}

    /** Registers the tallies read under shared locks, if a transaction holds a connection of {@code dataSource}. */
    static void register(DataSource dataSource, List<OrderTally> tallies) {
        if (tallies.isEmpty()
                || !TransactionSynchronizationManager.isActualTransactionActive()
                || !TransactionSynchronizationManager.isSynchronizationActive()
                || !TransactionSynchronizationManager.hasResource(dataSource)) {
            return;
        }
        Key key = new Key(dataSource);
        @SuppressWarnings("unchecked")
        Set<Long> ids = (Set<Long>) TransactionSynchronizationManager.getResource(key);
        if (ids == null) {
            ids = new HashSet<>();
            TransactionSynchronizationManager.bindResource(key, ids);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(key);
                }
            });
        }
        for (OrderTally tally : tallies) {
            ids.add(tally.orderId());
        }
    }

    /** Whether every one of {@code orderIds} was counted under shared locks in the current transaction. */
    static boolean cover(DataSource dataSource, Collection<Long> orderIds) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            return false;
        }
        Object ids = TransactionSynchronizationManager.getResource(new Key(dataSource));
        return ids instanceof Set<?> locked && locked.containsAll(orderIds);
    }
}
