package shop.reconciler.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static shop.reconciler.config.ReconcilerPropertiesBuilder.properties;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.test.MetaDataInstanceFactory;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.TableNames;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.TestDatabase;

/**
 * The writer's guard on a real database: what it was told at read time may be stale by the time
 * it writes, and the database's state at the write decides.
 */
class CompletionWriterIntegrationTest {

    private static TestDatabase.DatabaseRef database;
    private static ShopFixture shop;

    private CompletionWriter writer;
    private StepExecution stepExecution;
    private TransactionTemplate transaction;
    private NamedParameterJdbcTemplate jdbc;
    private Dialect dialect;
    private OrderRules rules;

    @BeforeAll
    static void schema() {
        database = TestDatabase.server().createDatabase("writer");
        shop = new ShopFixture(database.dataSource()).createSchema().migrateReconcilerTables();
    }

    @BeforeEach
    void freshWriter() {
        shop.clear();
        stepExecution = MetaDataInstanceFactory.createStepExecution();
        writeThrough(database.dataSource());
    }

    /** The writer, the reader's template and the chunk's transaction on {@code dataSource}'s connections. */
    private void writeThrough(DataSource dataSource) {
        ReconcilerProperties properties = properties()
                .set("chunk-size", 100)
                .set("mail.subject", "Order {orderCode}")
                .set("mail.message-id-domain", "order-reconciler.local")
                .build();
        jdbc = new NamedParameterJdbcTemplate(dataSource);
        dialect = Dialect.detectOnFirstUse(dataSource);
        rules = new OrderRules(properties, dialect);
        DataSourceTransactionManager transactionManager = new DataSourceTransactionManager(dataSource);
        writer = new CompletionWriter(
                jdbc,
                dialect,
                rules,
                transactionManager,
                new WriteFailures(jdbc, rules, TableNames.DEFAULT),
                properties,
                new NotificationStore(jdbc, properties, TableNames.DEFAULT),
                stepExecution);
        transaction = new TransactionTemplate(transactionManager);
    }

    @Test
    void taskRequeuedBetweenReadAndWriteKeepsItsOrderOpen() {
        // given: read as finished, then a task went back to pending before the write
        long id = shop.processingOrder("W-1", "w1@example.com", "completed", "completed");
        long requeued = shop.task(id, "Course 3", "completed");
        OrderTally readAsFinished = new OrderTally(id, "W-1", 3, 0);
        shop.setTaskStatus(requeued, "pending");

        // when
        transaction.executeWithoutResult(tx -> writer.write(Chunk.of(readAsFinished)));

        // then
        assertThat(shop.orderStatus("W-1")).isEqualTo("processing");
        assertThat(shop.notification("W-1")).isNull();
        assertThat(StepCounters.get(stepExecution.getExecutionContext(), ReconcileCounters.CHANGED_BEFORE_WRITE))
                .isEqualTo(1);
    }

    @Test
    void orderCompletedElsewhereBetweenReadAndWriteGetsNoSecondNotification() {
        // given: the shop's webhook completed it after our read
        long id = shop.processingOrder("W-2", "w2@example.com", "completed");
        OrderTally readAsFinished = new OrderTally(id, "W-2", 1, 0);
        shop.jdbc().update("UPDATE orders SET order_status = 'completed' WHERE id = ?", id);

        // when
        transaction.executeWithoutResult(tx -> writer.write(Chunk.of(readAsFinished)));

        // then
        assertThat(shop.orderStatus("W-2")).isEqualTo("completed");
        assertThat(shop.notification("W-2")).isNull();
    }

    @Test
    void writesOnlyTheOrdersOfTheChunkThatAreStillFinished() {
        // given
        long a = shop.processingOrder("W-3", "w3@example.com", "completed");
        long b = shop.processingOrder("W-4", "w4@example.com", "failed");
        long c = shop.processingOrder("W-5", "w5@example.com", "completed");
        shop.jdbc().update("UPDATE download_tasks SET status = 'processing' WHERE order_id = ?", b);

        // when
        transaction.executeWithoutResult(tx -> writer.write(Chunk.of(
                new OrderTally(a, "W-3", 1, 0), new OrderTally(b, "W-4", 1, 0), new OrderTally(c, "W-5", 1, 0))));

        // then
        assertThat(shop.orderStatus("W-3")).isEqualTo("completed");
        assertThat(shop.orderStatus("W-4")).isEqualTo("processing");
        assertThat(shop.orderStatus("W-5")).isEqualTo("completed");
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'queued'"))
                .isEqualTo(2);
        assertThat(StepCounters.get(stepExecution.getExecutionContext(), ReconcileCounters.COMPLETED))
                .isEqualTo(2);
    }

    @Test
    void chunkReadUnderLocksIsWrittenAsReadAndItsTasksCannotBeRequeuedUntilItCommits() throws Exception {
        // given: an order to email, one without a usable address, one of the backlog
        long fresh = shop.processingOrder("W-6", "w6@example.com", "completed", "failed");
        shop.processingOrder("W-7", " ", "completed");
        long backlog = shop.processingOrder("W-8", "w8@example.com", "completed");
        shop.ageTasks(backlog, 30);
        long freshTask =
                shop.jdbc().queryForObject("SELECT MIN(id) FROM download_tasks WHERE order_id = ?", Long.class, fresh);

        // when: read and written in one transaction, as the step does
        List<String> webhook = new java.util.ArrayList<>();
        transaction.executeWithoutResult(tx -> {
            List<OrderTally> read = readAll();
            assertThat(read).extracting(OrderTally::orderCode).containsExactly("W-6", "W-7", "W-8");
            // a webhook that re-queues a task of the chunk waits for the chunk to commit
            webhook.add(fromAnotherConnection("UPDATE download_tasks SET status = 'pending' WHERE id = " + freshTask));
            writer.write(new Chunk<>(read));
        });

        // then
        assertThat(webhook).singleElement().asString().contains("Lock wait timeout");
        assertThat(shop.orderStatus("W-6")).isEqualTo("completed");
        assertThat(shop.orderStatus("W-7")).isEqualTo("completed");
        assertThat(shop.orderStatus("W-8")).isEqualTo("completed");
        assertThat(shop.notification("W-6"))
                .containsEntry("status", "queued")
                .containsEntry("recipient", "w6@example.com")
                .containsEntry("message_id", "<order-W-6@order-reconciler.local>");
        assertThat(shop.notification("W-7"))
                .containsEntry("status", "failed")
                .containsEntry("last_error", "no recipient address");
        assertThat(shop.notification("W-8"))
                .containsEntry("status", "skipped")
                .containsEntry("recipient", "w8@example.com")
                .containsEntry("last_error", "newest task older than reconciler.mail.max-age (7d)");
        var context = stepExecution.getExecutionContext();
        assertThat(StepCounters.get(context, ReconcileCounters.COMPLETED)).isEqualTo(3);
        assertThat(StepCounters.get(context, ReconcileCounters.QUEUED)).isEqualTo(1);
        assertThat(StepCounters.get(context, ReconcileCounters.SKIPPED)).isEqualTo(1);
        assertThat(StepCounters.get(context, ReconcileCounters.NO_RECIPIENT)).isEqualTo(1);
    }

    @Test
    void underRepeatableReadATaskAddedToACountedOrderWaitsForTheChunkToCommit() {
        // given: 120 finished orders, read in two pages: the first one's tasks by a range of
        // order ids, the second one's by their ids
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 1; i <= 120; i++) {
            ids.add(shop.processingOrder("R-" + i, "r" + i + "@example.com", "completed"));
        }
        long inRange = ids.get(49);
        long inList = ids.get(109);
        transaction.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);

        // when: the shop adds an open task to a counted order of each page before the chunk commits
        List<String> webhook = new java.util.ArrayList<>();
        transaction.executeWithoutResult(tx -> {
            List<OrderTally> read = readAll();
            assertThat(read).hasSize(120).allMatch(OrderTally::isFinished);
            webhook.add(fromAnotherConnection(addOpenTask(inRange)));
            webhook.add(fromAnotherConnection(addOpenTask(inList)));
            writer.write(new Chunk<>(read));
        });

        // then: neither insert got in before the commit, so the orders were finished when completed
        assertThat(webhook).hasSize(2).allSatisfy(e -> assertThat(e).contains("Lock wait timeout"));
        assertThat(shop.count("SELECT COUNT(*) FROM download_tasks")).isEqualTo(120);
        assertThat(shop.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'"))
                .isEqualTo(120);
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'queued'"))
                .isEqualTo(120);
        assertThat(StepCounters.get(stepExecution.getExecutionContext(), ReconcileCounters.COMPLETED))
                .isEqualTo(120);
        // and once it committed, the shop's insert goes through
        assertThat(fromAnotherConnection(addOpenTask(inRange))).isEqualTo("done");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"the pool's transaction-isolation", "the session's default"})
    void underReadCommittedATaskAddedToACountedOrderGetsInAndKeepsItsOrderOpen(String setBy) {
        // given: the job's connections at READ COMMITTED, as an operator may set them
        long open = shop.processingOrder("C-1", "c1@example.com", "completed", "failed");
        shop.processingOrder("C-2", "c2@example.com", "completed");
        try (HikariDataSource readCommitted = new HikariDataSource()) {
            readCommitted.setJdbcUrl(database.url());
            readCommitted.setUsername(database.username());
            readCommitted.setPassword(database.password());
            if (setBy.startsWith("the pool")) {
                readCommitted.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
            } else {
                readCommitted.setConnectionInitSql("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
            }
            writeThrough(readCommitted);

            // when: the shop adds an open task to a counted order between the locked read and the write
            List<String> webhook = new java.util.ArrayList<>();
            transaction.executeWithoutResult(tx -> {
                assertThat(jdbc.getJdbcTemplate()
                                .execute((ConnectionCallback<Integer>) java.sql.Connection::getTransactionIsolation))
                        .isEqualTo(java.sql.Connection.TRANSACTION_READ_COMMITTED);
                List<OrderTally> read = readAll();
                assertThat(read).extracting(OrderTally::orderCode).containsExactly("C-1", "C-2");
                assertThat(read).allMatch(OrderTally::isFinished);
                webhook.add(fromAnotherConnection(addOpenTask(open)));
                writer.write(new Chunk<>(read));
            });

            // then: READ COMMITTED locks no gap, so the insert got in; the guard saw it
            assertThat(webhook).containsExactly("done");
            assertThat(shop.orderStatus("C-1")).isEqualTo("processing");
            assertThat(shop.notification("C-1")).isNull();
            assertThat(shop.orderStatus("C-2")).isEqualTo("completed");
            assertThat(shop.notification("C-2")).containsEntry("status", "queued");
            var context = stepExecution.getExecutionContext();
            assertThat(StepCounters.get(context, ReconcileCounters.COMPLETED)).isEqualTo(1);
            assertThat(StepCounters.get(context, ReconcileCounters.CHANGED_BEFORE_WRITE))
                    .isEqualTo(1);
        }
    }

    private static String addOpenTask(long orderId) {
        return "INSERT INTO download_tasks (order_id, course_title, course_url, status) VALUES (" + orderId
                + ", 'Added late', 'https://courses.example.com/late', 'pending')";
    }

    @Test
    void orderCompletedElsewhereAfterALockedReadGetsNoNotificationAndTheRestOfTheChunkCompletes() {
        // given
        long elsewhere = shop.processingOrder("W-9", "w9@example.com", "completed");
        shop.processingOrder("W-10", "w10@example.com", "completed");

        // when: the shop completes W-9 between the read (which locks tasks, not orders) and the write
        transaction.executeWithoutResult(tx -> {
            List<OrderTally> read = readAll();
            assertThat(fromAnotherConnection("UPDATE orders SET order_status = 'completed' WHERE id = " + elsewhere))
                    .isEqualTo("done");
            writer.write(new Chunk<>(read));
        });

        // then
        assertThat(shop.orderStatus("W-9")).isEqualTo("completed");
        assertThat(shop.notification("W-9")).isNull();
        assertThat(shop.orderStatus("W-10")).isEqualTo("completed");
        assertThat(shop.notification("W-10")).containsEntry("status", "queued");
        var context = stepExecution.getExecutionContext();
        assertThat(StepCounters.get(context, ReconcileCounters.COMPLETED)).isEqualTo(1);
        assertThat(StepCounters.get(context, ReconcileCounters.CHANGED_BEFORE_WRITE))
                .isEqualTo(1);
    }

    @Test
    void readerFindsTheSameOrdersWithoutTheShopsIndexOnOrders() {
        // given: a shop whose orders table lacks idx_orders_status_id (the hint is then left out)
        TestDatabase.DatabaseRef bare = TestDatabase.server().createDatabase("noindex");
        ShopFixture bareShop = new ShopFixture(bare.dataSource()).createSchema().migrateReconcilerTables();
        bareShop.jdbc().execute("DROP INDEX idx_orders_status_id ON orders");
        for (int i = 1; i <= 5; i++) {
            bareShop.processingOrder("N-" + i, "n" + i + "@example.com", i == 3 ? "pending" : "completed");
        }
        bareShop.order("N-DONE", "done@example.com", "completed");
        NamedParameterJdbcTemplate bareJdbc = new NamedParameterJdbcTemplate(bare.dataSource());

        // when: pages of two
        Dialect bareDialect = Dialect.detectOnFirstUse(bare.dataSource());
        ProcessingOrderReader reader = new ProcessingOrderReader(
                bareJdbc,
                bareDialect,
                new OrderRules(List.of("completed", "failed"), Duration.ofDays(7), Duration.ofHours(24), bareDialect),
                2,
                false);
        reader.open(new org.springframework.batch.infrastructure.item.ExecutionContext());
        List<OrderTally> read = new java.util.ArrayList<>();
        for (OrderTally t = reader.read(); t != null; t = reader.read()) {
            read.add(t);
        }

        // then
        assertThat(read).extracting(OrderTally::orderCode).containsExactly("N-1", "N-2", "N-3", "N-4", "N-5");
        assertThat(read).extracting(OrderTally::isFinished).containsExactly(true, true, false, true, true);
    }

    /** Every processing order, read as the step reads a page: in the caller's transaction, under locks. */
    private List<OrderTally> readAll() {
        ProcessingOrderReader reader = new ProcessingOrderReader(jdbc, dialect, rules, 100, true);
        reader.open(new org.springframework.batch.infrastructure.item.ExecutionContext());
        List<OrderTally> read = new java.util.ArrayList<>();
        for (OrderTally t = reader.read(); t != null; t = reader.read()) {
            read.add(t);
        }
        reader.close();
        return read;
    }

    /** A webhook's statement on a connection of its own, auto-committed, giving up after a second of lock wait; its error, or "done". */
    private static String fromAnotherConnection(String update) {
        try (java.sql.Connection other = database.dataSource().getConnection();
                java.sql.Statement s = other.createStatement()) {
            other.setAutoCommit(true);
            s.execute("SET SESSION innodb_lock_wait_timeout = 1");
            s.executeUpdate(update);
            return "done";
        } catch (java.sql.SQLException e) {
            return e.getMessage();
        }
    }
}
