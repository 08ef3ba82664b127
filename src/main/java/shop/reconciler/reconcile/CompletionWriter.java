package shop.reconciler.reconcile;

import java.util.List;
import javax.sql.DataSource;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.Dialect;
import shop.reconciler.outbox.NotificationStore;

/**
 * The reconcile step's writer: completes the chunk's finished orders and queues their
 * notifications ({@link ChunkCompletion}), setting aside any one order whose data the database
 * refuses ({@link BadOrderIsolation}), all in the chunk's transaction. What it did is added to the
 * step's counters once the whole chunk is written.
 */
class CompletionWriter implements ItemWriter<OrderTally> {

    private final DataSource dataSource;
    private final ChunkCompletion completion;
    private final BadOrderIsolation isolation;
    private final StepExecution stepExecution;

    CompletionWriter(
            NamedParameterJdbcTemplate jdbc,
            Dialect dialect,
            OrderRules rules,
            PlatformTransactionManager transactionManager,
            WriteFailures writeFailures,
            ReconcilerProperties properties,
            NotificationStore notificationStore,
            StepExecution stepExecution) {
        this.dataSource = jdbc.getJdbcTemplate().getDataSource();
        NestedTransactions nested = new NestedTransactions(transactionManager);
        this.completion = new ChunkCompletion(
                jdbc.getJdbcTemplate(),
                dialect,
                dialect.lockingReadsCanLockGaps(dataSource, "download_tasks", "order_id"),
                rules,
                notificationStore,
                nested,
                stepExecution.getJobExecutionId());
        this.isolation =
                new BadOrderIsolation(dataSource, nested, writeFailures, properties.maxWriteFailures(), stepExecution);
        this.stepExecution = stepExecution;
    }

    @Override
    public void write(Chunk<? extends OrderTally> chunk) {
        List<OrderTally> orders = List.copyOf(chunk.getItems());
        if (orders.isEmpty()) {
            return;
        }
        ChunkOutcome outcome;
        if (TransactionSynchronizationManager.isActualTransactionActive()
                && TransactionSynchronizationManager.hasResource(dataSource)) {
            outcome = isolation.write(orders, part -> completion.write(part, true));
        } else {
            outcome = completion.write(orders, false);
        }
        outcome.addTo(stepExecution.getExecutionContext());
    }
}
