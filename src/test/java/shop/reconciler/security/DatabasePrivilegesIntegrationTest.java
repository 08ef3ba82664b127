package shop.reconciler.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.TestDatabase;

/**
 * The README's Security section lists the privileges the database user needs. This test gives a
 * user exactly those, and nothing more, and runs the reconciler as that user, after an
 * administrator's first start made its tables (the migrations), to a completed run with its
 * emails and a passing {@code check}. The embedded server of this test checks privileges.
 */
class DatabasePrivilegesIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void theDocumentedPrivilegesAreEnoughToMigrateRunSendAndCheck() throws Exception {
        // given: the names of the reconciler's own tables, from a scratch database it migrated
        List<String> ownTables = reconcilerTables();
        assertThat(ownTables).contains("order_notifications", "shedlock", "BATCH_JOB_EXECUTION");

        // and: a shop with two finished orders and one open, and a user with the README's grants
        TestDatabase.Server server = TestDatabase.serverWithGrants();
        TestDatabase.DatabaseRef database = server.createDatabase("priv");
        ShopFixture shop = new ShopFixture(database.dataSource()).createSchema();
        shop.processingOrder("PRIV-1", "priv1@example.com", "completed");
        shop.processingOrder("PRIV-2", "priv2@example.com", "completed", "failed");
        shop.processingOrder("PRIV-3", "priv3@example.com", "completed", "processing");
        String user = "rec" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        String password = "least-Privilege-42";
        String db = "`" + database.name() + "`";
        List<String> grants = new ArrayList<>(List.of(
                "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'",
                "CREATE USER '" + user + "'@'localhost' IDENTIFIED BY '" + password + "'",
                // the shop's tables: read both, change only orders.order_status
                "GRANT SELECT ON " + db + ".download_tasks TO '" + user + "'@'%'",
                "GRANT SELECT, UPDATE (order_status) ON " + db + ".orders TO '" + user + "'@'%'"));
        // its own tables, which the installing administrator's first start created: use them
        for (String table : ownTables) {
            grants.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + db + ".`" + table + "` TO '" + user + "'@'%'");
        }
        CliRunner.Result install = CliRunner.run(
                "status",
                "--spring.datasource.url=" + database.url(),
                "--spring.datasource.username=" + database.username(),
                "--spring.datasource.password=" + database.password());
        assertThat(install.exit()).describedAs(install.describe()).isZero();
        try (Connection admin = server.openAdminConnection();
                Statement statement = admin.createStatement()) {
            for (String grant : grants) {
                statement.execute(grant);
                if (grant.startsWith("GRANT")) {
                    statement.execute(grant.replace("'@'%'", "'@'localhost'"));
                }
            }
        }

        try {
            // when: every command the reconciler's user runs, after the install
            CliRunner.Result run = cli(database, user, password, "run");
            CliRunner.Result check = cli(database, user, password, "check");
            CliRunner.Result status = cli(database, user, password, "status");

            // then
            assertThat(run.exit()).describedAs(run.describe()).isZero();
            assertThat(shop.orderStatus("PRIV-1")).isEqualTo("completed");
            assertThat(shop.orderStatus("PRIV-2")).isEqualTo("completed");
            assertThat(shop.orderStatus("PRIV-3")).isEqualTo("processing");
            assertThat(SMTP.getReceivedMessages()).hasSize(2);
            assertThat(check.exit()).describedAs(check.describe()).isZero();
            assertThat(status.exit()).describedAs(status.describe()).isZero();
            // and: a monitoring user with SELECT on the views alone reads every one of them
            assertMonitoringViewsReadableWithSelectOnThemAlone(server, database);

            // when: the day-to-day user starts with another reconciler.stuck-task-after, which the
            // order views follow, and with the day-to-day grants alone
            shop.jdbc()
                    .update("UPDATE download_tasks SET updated_at = NOW(3) - INTERVAL 3 HOUR WHERE order_id ="
                            + " (SELECT id FROM orders WHERE order_code = 'PRIV-3')");
            String stuckAfter = "--reconciler.stuck-task-after=2h";
            CliRunner.Result refused = cli(database, user, password, "status", stuckAfter);

            // then: refused, saying which privileges making the views again needs
            assertThat(refused.exit()).describedAs(refused.describe()).isNotZero();
            assertThat(refused.err())
                    .describedAs(refused.describe())
                    .contains("may not make them again")
                    .contains("grant this one CREATE VIEW and DROP on reconciler_completable_orders,"
                            + " reconciler_anomalies, reconciler_stuck_orders");
            assertThat(shop.codes("SELECT order_code FROM reconciler_stuck_orders"))
                    .isEmpty();

            // when: repaired, and granted CREATE VIEW and DROP on the three order views
            CliRunner.Result repaired = cli(database, user, password, "repair", stuckAfter);
            assertThat(repaired.exit()).describedAs(repaired.describe()).isZero();
            assertThat(repaired.out())
                    .describedAs(repaired.describe())
                    .contains("removed the failed repeatable migration (monitoring views)");
            try (Connection admin = server.openAdminConnection();
                    Statement statement = admin.createStatement()) {
                for (String view :
                        List.of("reconciler_completable_orders", "reconciler_anomalies", "reconciler_stuck_orders")) {
                    for (String host : List.of("%", "localhost")) {
                        statement.execute("GRANT CREATE VIEW, DROP ON " + db + ".`" + view + "` TO '" + user + "'@'"
                                + host + "'");
                    }
                }
            }
            CliRunner.Result recreated = cli(database, user, password, "status", stuckAfter);

            // then: the views were made again by the day-to-day user, for the new setting
            assertThat(recreated.exit()).describedAs(recreated.describe()).isZero();
            assertThat(shop.codes("SELECT order_code FROM reconciler_stuck_orders"))
                    .containsExactly("PRIV-3");
            assertThat(shop.count("SELECT COUNT(*) FROM reconciler_schema_history"
                            + " WHERE version IS NULL AND description = 'monitoring views' AND success = 1"))
                    .isEqualTo(2);
        } finally {
            try (Connection admin = server.openAdminConnection();
                    Statement statement = admin.createStatement()) {
                statement.execute("DROP USER '" + user + "'@'%', '" + user + "'@'localhost'");
            }
        }
    }

    private static void assertMonitoringViewsReadableWithSelectOnThemAlone(
            TestDatabase.Server server, TestDatabase.DatabaseRef database) throws SQLException {
        List<String> views = new ShopFixture(database.dataSource())
                .jdbc()
                .queryForList(
                        "SELECT table_name FROM information_schema.views WHERE table_schema = ? ORDER BY table_name",
                        String.class,
                        database.name());
        assertThat(views)
                .contains(
                        "reconciler_executions",
                        "reconciler_outbox",
                        "reconciler_completable_orders",
                        "reconciler_anomalies",
                        "reconciler_stuck_orders");
        String monitor = "mon" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        String password = "monitor-Only-42";
        try (Connection admin = server.openAdminConnection();
                Statement statement = admin.createStatement()) {
            for (String host : List.of("%", "localhost")) {
                statement.execute("CREATE USER '" + monitor + "'@'" + host + "' IDENTIFIED BY '" + password + "'");
                for (String view : views) {
                    statement.execute("GRANT SELECT ON `" + database.name() + "`.`" + view + "` TO '" + monitor + "'@'"
                            + host + "'");
                }
            }
        }
        try (Connection grafana = java.sql.DriverManager.getConnection(database.url(), monitor, password);
                Statement statement = grafana.createStatement()) {
            for (String view : views) {
                try (var rows = statement.executeQuery("SELECT COUNT(*) FROM " + view)) {
                    assertThat(rows.next()).describedAs(view).isTrue();
                }
            }
            try (var rows = statement.executeQuery("SELECT emails_sent FROM reconciler_executions")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getLong(1)).isEqualTo(2);
            }
        } finally {
            try (Connection admin = server.openAdminConnection();
                    Statement statement = admin.createStatement()) {
                statement.execute("DROP USER '" + monitor + "'@'%', '" + monitor + "'@'localhost'");
            }
        }
    }

    private static List<String> reconcilerTables() throws SQLException {
        TestDatabase.DatabaseRef scratch = TestDatabase.serverWithGrants().createDatabase("privscratch");
        ShopFixture fixture =
                new ShopFixture(scratch.dataSource()).createSchema().migrateReconcilerTables();
        return fixture.jdbc()
                .queryForList(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = ?"
                                + " AND table_type = 'BASE TABLE'"
                                + " AND table_name NOT IN ('orders', 'download_tasks') ORDER BY table_name",
                        String.class,
                        scratch.name());
    }

    private static CliRunner.Result cli(
            TestDatabase.DatabaseRef database, String user, String password, String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of(
                "--spring.datasource.url=" + database.url(),
                "--spring.datasource.username=" + user,
                "--spring.datasource.password=" + password,
                "--spring.mail.host=127.0.0.1",
                "--spring.mail.port=" + SMTP.getSmtp().getPort()));
        return CliRunner.run(args.toArray(String[]::new));
    }
}
