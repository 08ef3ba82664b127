package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;

/**
 * A Spring shop already has its own {@code shedlock} table and its own Spring Batch job repository
 * ({@code BATCH_*}, from Spring Batch's schema-mysql.sql) with rows of its own jobs: with
 * {@code reconciler.table-prefix=rec_} and {@code spring.batch.jdbc.table-prefix=REC_BATCH_} the
 * reconciler installs beside them, every command works on its own tables, and the shop's are
 * untouched.
 */
class TablePrefixIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void installsBesideAShopWithItsOwnShedlockAndBatchTables() {
        // given: the shop's own ShedLock table and Spring Batch repository, with rows of its own
        ShopUnderTest reconciler = new ShopUnderTest("prefix")
                .smtpPort(SMTP.getSmtp().getPort())
                .with("reconciler.table-prefix", "rec_")
                .with("spring.batch.jdbc.table-prefix", "REC_BATCH_");
        var jdbc = reconciler.shop.jdbc();
        new ResourceDatabasePopulator(new ClassPathResource("org/springframework/batch/core/schema-mysql.sql"))
                .execute(reconciler.database.dataSource());
        jdbc.execute("CREATE TABLE shedlock (name VARCHAR(64) NOT NULL PRIMARY KEY, lock_until TIMESTAMP(3) NOT NULL,"
                + " locked_at TIMESTAMP(3) NOT NULL, locked_by VARCHAR(255) NOT NULL)");
        jdbc.update("INSERT INTO shedlock VALUES ('shopNightlyExport', '2037-01-01 00:00:00', NOW(3), 'shop-node-1')");
        jdbc.update("INSERT INTO BATCH_JOB_INSTANCE VALUES (7, 0, 'shopNightlyExport', 'k7')");
        jdbc.update("INSERT INTO BATCH_JOB_EXECUTION (JOB_EXECUTION_ID, VERSION, JOB_INSTANCE_ID, CREATE_TIME, STATUS)"
                + " VALUES (70, 1, 7, NOW(6), 'COMPLETED')");
        jdbc.update("UPDATE BATCH_JOB_EXECUTION_SEQ SET ID = 70");
        String shopBefore = shopTables(reconciler);
        reconciler.shop.processingOrder("ORD-P1", "one@example.com", "completed", "failed");
        reconciler.shop.processingOrder("ORD-P2", "two@example.com", "completed");
        reconciler.shop.processingOrder("ORD-OPEN", "open@example.com", "completed", "processing");

        // when: the first run installs the reconciler's tables and completes the finished orders
        CliRunner.Result run = reconciler.cli("run");

        // then
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(reconciler.shop.orderStatus("ORD-P1")).isEqualTo("completed");
        assertThat(reconciler.shop.orderStatus("ORD-P2")).isEqualTo("completed");
        assertThat(reconciler.shop.orderStatus("ORD-OPEN")).isEqualTo("processing");
        assertThat(jdbc.queryForList("SELECT order_code, status FROM rec_order_notifications ORDER BY order_code"))
                .containsExactly(
                        Map.of("order_code", "ORD-P1", "status", "sent"),
                        Map.of("order_code", "ORD-P2", "status", "sent"));
        assertThat(Arrays.stream(SMTP.getReceivedMessages()).map(ShopUnderTest::subject))
                .containsExactlyInAnyOrder(ShopUnderTest.subjectOf("ORD-P1"), ShopUnderTest.subjectOf("ORD-P2"));
        assertThat(jdbc.queryForList("SELECT i.JOB_NAME, e.STATUS FROM REC_BATCH_JOB_EXECUTION e"
                        + " JOIN REC_BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID"))
                .containsExactly(Map.of("JOB_NAME", "orderCompletionJob", "STATUS", "COMPLETED"));
        assertThat(jdbc.queryForList("SELECT name FROM rec_shedlock", String.class))
                .containsExactly("orderCompletionJob");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM rec_reconciler_schema_history WHERE success = 1 AND version = '5'",
                        Integer.class))
                .isEqualTo(1);
        // none of the unprefixed names was created, and the shop's tables hold what they held
        assertThat(tablesNamed(reconciler, "order_notifications", "reconcile_failures", "reconciler_schema_history"))
                .isEmpty();
        assertThat(shopTables(reconciler)).isEqualTo(shopBefore);

        // status, explain and check read the prefixed tables
        CliRunner.Result status = reconciler.cli("status");
        assertThat(status.exit()).describedAs(status.describe()).isZero();
        assertThat(status.out()).contains("COMPLETED").contains("sent");
        CliRunner.Result explain = reconciler.cli("explain", "ORD-OPEN");
        assertThat(explain.exit()).describedAs(explain.describe()).isZero();
        assertThat(explain.out()).contains("processing");
        CliRunner.Result explainDone = reconciler.cli("explain", "ORD-P2");
        assertThat(explainDone.exit()).describedAs(explainDone.describe()).isZero();
        assertThat(explainDone.out()).contains("sent");
        CliRunner.Result check = reconciler.cli("check");
        assertThat(check.exit()).describedAs(check.describe()).isZero();
        assertThat(check.out())
                .containsPattern("PASS schema: version [6-9]\\d* in rec_reconciler_schema_history")
                .contains("PASS table rec_order_notifications")
                .contains("PASS table rec_shedlock")
                .contains("PASS table REC_BATCH_JOB_INSTANCE");

        // requeue puts a failed notification of the prefixed outbox back; the next run sends it
        jdbc.update("UPDATE rec_order_notifications SET status = 'failed', attempts = 5, last_error = 'refused'"
                + " WHERE order_code = 'ORD-P2'");
        CliRunner.Result requeue = reconciler.cli("requeue", "ORD-P2");
        assertThat(requeue.exit()).describedAs(requeue.describe()).isZero();
        assertThat(jdbc.queryForMap("SELECT status, attempts FROM rec_order_notifications WHERE order_code = 'ORD-P2'"))
                .isEqualTo(Map.of("status", "queued", "attempts", 0));
        CliRunner.Result again = reconciler.cli("run");
        assertThat(again.exit()).describedAs(again.describe()).isZero();
        assertThat(jdbc.queryForObject(
                        "SELECT status FROM rec_order_notifications WHERE order_code = 'ORD-P2'", String.class))
                .isEqualTo("sent");
        assertThat(SMTP.getReceivedMessages()).hasSize(3);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM REC_BATCH_JOB_EXECUTION", Integer.class))
                .isEqualTo(2);
        assertThat(shopTables(reconciler)).isEqualTo(shopBefore);
    }

    /** Everything in the shop's own shedlock and job repository tables. */
    private static String shopTables(ShopUnderTest reconciler) {
        var jdbc = reconciler.shop.jdbc();
        StringBuilder all = new StringBuilder();
        for (String table : List.of(
                "shedlock",
                "BATCH_JOB_INSTANCE",
                "BATCH_JOB_EXECUTION",
                "BATCH_JOB_EXECUTION_PARAMS",
                "BATCH_STEP_EXECUTION",
                "BATCH_JOB_EXECUTION_CONTEXT",
                "BATCH_STEP_EXECUTION_CONTEXT",
                "BATCH_JOB_EXECUTION_SEQ",
                "BATCH_JOB_INSTANCE_SEQ",
                "BATCH_STEP_EXECUTION_SEQ")) {
            all.append(table)
                    .append(jdbc.queryForList("SELECT * FROM " + table))
                    .append('\n');
        }
        return all.toString();
    }

    private static List<String> tablesNamed(ShopUnderTest reconciler, String... names) {
        return reconciler
                .shop
                .jdbc()
                .queryForList(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name IN (?, ?, ?)",
                        String.class,
                        reconciler.database.name(),
                        names[0],
                        names[1],
                        names[2]);
    }
}
