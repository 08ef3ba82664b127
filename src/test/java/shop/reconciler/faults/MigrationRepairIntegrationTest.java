package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.TestDatabase;

/**
 * An install of 0.5 (versions 1 to 3 applied) upgraded on a database whose job repository is
 * large: V4 rebuilds every table by copy, and it is cut off half-way through, during the rebuild
 * of {@code BATCH_JOB_EXECUTION_PARAMS} (four tables converted, the rest not).
 *
 * <ul>
 *   <li>Killed by the server, the connection open: Flyway records V4 as failed. The next start is
 *       refused with one line that names {@code repair}; {@code repair} clears the entry.
 *   <li>Cut off by the socket timeout: the connection is gone, Flyway records nothing.
 * </ul>
 *
 * Either way the next start applies V4 again from its first statement (the ALTERs already done
 * are harmless to repeat) and V5, the history's checksums are 0.6.0's, and the run completes the
 * orders.
 */
class MigrationRepairIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();

    /** Flyway's checksums of versions 1 to 5 as 0.6.0 shipped them (every install's history holds them). */
    static final Map<String, Integer> CHECKSUMS_0_6_0 = Map.of(
            "1", -2032150811,
            "2", 912552055,
            "3", 1917507444,
            "4", -1044902228,
            "5", -688229286);

    /** Executions in the job repository: their parameters' rebuild takes longer than the 1 s timeout below. */
    static final int EXECUTIONS = 100_000;

    static final int PARAMETER_ROWS = 4 * EXECUTIONS;

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void aMigrationKilledHalfWayIsRepairedByACommandAndAppliedAgain() throws Exception {
        // given: an install before V4 with a large job repository
        ShopUnderTest reconciler = installBeforeV4("killed");
        var jdbc = reconciler.shop.jdbc();

        // check names the pending rebuild with its rows before anything runs it
        CliRunner.Result check = reconciler.cli("check");
        assertThat(check.out())
                .describedAs(check.describe())
                .containsPattern("NOTE migration 4 \\(utf8mb4 and reconcile failures\\) is pending.*rebuilds 11 tables"
                        + " by copy, about \\d+ rows \\(BATCH_JOB_EXECUTION_PARAMS \\d+.*\\): about ");

        // when: the server kills V4's statement half-way (as a DBA's KILL QUERY, a query killer or
        // a statement time-out does), the connection staying open
        CompletableFuture<CliRunner.Result> upgrade = CompletableFuture.supplyAsync(() -> reconciler.cli("run"));
        long killed = killWhenRunning(reconciler, "ALTER TABLE BATCH_JOB_EXECUTION_PARAMS", upgrade);
        CliRunner.Result cutOff = upgrade.get(5, TimeUnit.MINUTES);

        // then: nothing ran, V4 is recorded as failed, half of its tables converted
        assertThat(killed).isPositive();
        assertThat(cutOff.exit()).describedAs(cutOff.describe()).isEqualTo(1);
        assertThat(reconciler.completedOrders()).isZero();
        assertThat(history(reconciler)).containsEntry("4", false).doesNotContainKey("5");
        assertThat(collation(reconciler, "order_notifications")).startsWith("utf8mb4");
        assertThat(collation(reconciler, "BATCH_STEP_EXECUTION")).startsWith("latin1");

        // the next start is refused with one line that names the command that repairs it
        CliRunner.Result refused = reconciler.cli("run");
        assertThat(refused.exit()).describedAs(refused.describe()).isEqualTo(1);
        assertThat(refused.err().strip())
                .describedAs(refused.describe())
                .doesNotContain("\n")
                .startsWith("order-reconciler: cannot start: the schema history (reconciler_schema_history) records a"
                        + " failed migration: version 4 (utf8mb4 and reconcile failures); run 'repair'");
        assertThat(reconciler.completedOrders()).isZero();

        // repair clears the failed entry, and says so in one line
        CliRunner.Result repair = reconciler.cli("repair");
        assertThat(repair.exit()).describedAs(repair.describe()).isZero();
        assertThat(repair.out().strip())
                .isEqualTo("repaired: removed the failed version 4 (utf8mb4 and reconcile failures) from"
                        + " reconciler_schema_history (1 entry removed); the next start applies it again");
        assertThat(history(reconciler)).doesNotContainKey("4");
        CliRunner.Result nothing = reconciler.cli("repair");
        assertThat(nothing.exit()).describedAs(nothing.describe()).isZero();
        assertThat(nothing.out().strip())
                .isEqualTo("nothing to repair: reconciler_schema_history records no failed migration");

        // the next start applies V4 again from its start and V5, and the run completes the orders
        assertUpgradedAndRun(reconciler);
    }

    @Test
    void aMigrationThatOutlivesTheSocketTimeoutIsAppliedAgainByTheNextStart() {
        // given: an install before V4 with a large job repository
        ShopUnderTest reconciler = installBeforeV4("timeout");

        // when: the rebuild outlives the migrations' socket timeout: the driver drops the
        // connection half-way through V4, so Flyway cannot even record the failure
        CliRunner.Result cutOff = reconciler.cli("run", "--reconciler.db.migration-timeout=1s");

        // then: nothing ran; V4 is not recorded, half of its tables converted
        assertThat(cutOff.exit()).describedAs(cutOff.describe()).isEqualTo(1);
        assertThat(cutOff.err()).contains("Read timed out");
        assertThat(reconciler.completedOrders()).isZero();
        assertThat(history(reconciler)).doesNotContainKeys("4", "5");
        assertThat(collation(reconciler, "order_notifications")).startsWith("utf8mb4");
        assertThat(collation(reconciler, "BATCH_STEP_EXECUTION")).startsWith("latin1");

        // and the next start (the default migration timeout) applies V4 again and V5, and runs
        assertUpgradedAndRun(reconciler);
    }

    /**
     * The schema of an install before V4, as 0.5 left it (the same scripts from their new place),
     * in a latin1 database so that V4 really converts, with a large job repository and two
     * finished orders.
     */
    private static ShopUnderTest installBeforeV4(String name) {
        ShopUnderTest reconciler =
                new ShopUnderTest(name).smtpPort(SMTP.getSmtp().getPort());
        var jdbc = reconciler.shop.jdbc();
        jdbc.execute(
                "ALTER DATABASE `" + reconciler.database.name() + "` CHARACTER SET latin1 COLLATE latin1_swedish_ci");
        Flyway.configure()
                .dataSource(reconciler.database.dataSource())
                .table("reconciler_schema_history")
                .locations("classpath:db/original", "classpath:db/platform/mysql")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .target("3")
                .load()
                .migrate();
        // a year of runs every 5 minutes, 4 parameters each, as the job repository holds them
        String runs = "SELECT n FROM (" + numbers() + ") s WHERE n BETWEEN 1 AND " + EXECUTIONS;
        jdbc.update("INSERT INTO BATCH_JOB_INSTANCE SELECT n, 0, 'orderCompletionJob', MD5(n) FROM (" + runs + ") r");
        jdbc.update("INSERT INTO BATCH_JOB_EXECUTION (JOB_EXECUTION_ID, VERSION, JOB_INSTANCE_ID, CREATE_TIME, STATUS)"
                + " SELECT n, 1, n, NOW(6), 'COMPLETED' FROM (" + runs + ") r");
        jdbc.update("INSERT INTO BATCH_JOB_EXECUTION_PARAMS"
                + " (JOB_EXECUTION_ID, PARAMETER_NAME, PARAMETER_TYPE, PARAMETER_VALUE, IDENTIFYING)"
                + " SELECT n, CONCAT('p', k.d), 'java.lang.String', REPEAT('v', 120), 'Y' FROM (" + runs + ") r,"
                + " (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k");
        jdbc.update("UPDATE BATCH_JOB_EXECUTION_SEQ SET ID = " + EXECUTIONS);
        jdbc.update("UPDATE BATCH_JOB_INSTANCE_SEQ SET ID = " + EXECUTIONS);
        reconciler.shop.processingOrder("ORD-U1", "one@example.com", "completed");
        reconciler.shop.processingOrder("ORD-U2", "two@example.com", "completed", "failed");
        return reconciler;
    }

    /** The next start applies V4 and V5 and completes the two orders; history and tables as 0.6.0's. */
    private static void assertUpgradedAndRun(ShopUnderTest reconciler) {
        var jdbc = reconciler.shop.jdbc();
        int mailsBefore = SMTP.getReceivedMessages().length;
        long started = System.nanoTime();
        CliRunner.Result run = reconciler.cli("run");
        System.out.printf(
                "upgrade over %d job repository rows: %d ms%n",
                PARAMETER_ROWS + 2 * EXECUTIONS, (System.nanoTime() - started) / 1_000_000);
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(history(reconciler))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "0", true, "1", true, "2", true, "3", true, "4", true, "5", true, "6", true, "7", true, "8",
                        true));
        assertThat(checksums(reconciler)).isEqualTo(CHECKSUMS_0_6_0);
        for (String table : List.of(
                "order_notifications", "BATCH_JOB_EXECUTION_PARAMS", "BATCH_STEP_EXECUTION", "reconcile_failures")) {
            assertThat(collation(reconciler, table)).describedAs(table).startsWith("utf8mb4");
        }
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION_PARAMS WHERE JOB_EXECUTION_ID <= " + EXECUTIONS,
                        Integer.class))
                .isEqualTo(PARAMETER_ROWS);
        assertThat(reconciler.completedOrders()).isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT order_code, status FROM order_notifications ORDER BY order_code"))
                .containsExactly(
                        Map.of("order_code", "ORD-U1", "status", "sent"),
                        Map.of("order_code", "ORD-U2", "status", "sent"));
        assertThat(SMTP.getReceivedMessages()).hasSize(mailsBefore + 2);
    }

    /** Kills the statement that starts with {@code statement} as soon as it runs; its thread id. */
    private static long killWhenRunning(ShopUnderTest reconciler, String statement, CompletableFuture<?> command)
            throws Exception {
        try (Connection admin = TestDatabase.server().openAdminConnection();
                PreparedStatement find = admin.prepareStatement(
                        "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE ?")) {
            find.setString(1, reconciler.database.name());
            find.setString(2, statement + "%");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < deadline && !command.isDone()) {
                try (ResultSet rs = find.executeQuery()) {
                    if (rs.next()) {
                        long id = rs.getLong(1);
                        try (Statement kill = admin.createStatement()) {
                            kill.execute("KILL QUERY " + id);
                        }
                        return id;
                    }
                }
                Thread.sleep(10);
            }
        }
        return -1;
    }

    @Test
    void aV4ThatDiedAfterCreatingItsTableBeforeItWasRecordedIsAppliedAgain() {
        // given: V1..V3 applied, and V4's last statement done but never recorded (the process was
        // killed between the CREATE TABLE and Flyway's insert into its history)
        ShopUnderTest reconciler =
                new ShopUnderTest("rerun").smtpPort(SMTP.getSmtp().getPort());
        var jdbc = reconciler.shop.jdbc();
        Flyway.configure()
                .dataSource(reconciler.database.dataSource())
                .table("reconciler_schema_history")
                .locations("classpath:db/original", "classpath:db/platform/mysql")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .target("3")
                .load()
                .migrate();
        jdbc.execute("CREATE TABLE reconcile_failures (order_id BIGINT NOT NULL PRIMARY KEY,"
                + " order_code VARCHAR(64) NOT NULL, last_error VARCHAR(1000) NOT NULL, failures INT NOT NULL DEFAULT 1,"
                + " first_failed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),"
                + " last_failed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), job_execution_id BIGINT NULL)");
        jdbc.execute("ALTER TABLE order_notifications ADD COLUMN delivery_started_at DATETIME(3) NULL");
        reconciler.shop.processingOrder("ORD-R1", "one@example.com", "completed");

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then: V4 and V5 are applied over what the earlier attempts left, and the run works
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(history(reconciler)).containsEntry("4", true).containsEntry("5", true);
        assertThat(collation(reconciler, "reconcile_failures")).startsWith("utf8mb4");
        assertThat(reconciler.notifications().get("ORD-R1")).containsEntry("status", "sent");
    }

    /** 0 to 999,999 as column {@code n}. */
    private static String numbers() {
        String digit = "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4"
                + " UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
        return "SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 100000 * g.d AS n FROM " + digit + " a, "
                + digit + " b, " + digit + " c, " + digit + " e, " + digit + " f, " + digit + " g";
    }

    /** The history by version: whether it succeeded. */
    private static Map<String, Boolean> history(ShopUnderTest reconciler) {
        Map<String, Boolean> byVersion = new java.util.TreeMap<>();
        reconciler
                .shop
                .jdbc()
                .query("SELECT version, success FROM reconciler_schema_history WHERE version IS NOT NULL", rs -> {
                    byVersion.put(rs.getString("version"), rs.getBoolean("success"));
                });
        return byVersion;
    }

    private static Map<String, Integer> checksums(ShopUnderTest reconciler) {
        Map<String, Integer> byVersion = new java.util.TreeMap<>();
        reconciler
                .shop
                .jdbc()
                .query(
                        "SELECT version, checksum FROM reconciler_schema_history WHERE version IN ('1','2','3','4','5')",
                        rs -> {
                            byVersion.put(rs.getString("version"), rs.getInt("checksum"));
                        });
        return byVersion;
    }

    private static String collation(ShopUnderTest reconciler, String table) {
        return reconciler
                .shop
                .jdbc()
                .queryForObject(
                        "SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                        String.class,
                        reconciler.database.name(),
                        table);
    }
}
