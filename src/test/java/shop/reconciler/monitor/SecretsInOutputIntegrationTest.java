package shop.reconciler.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.TestDatabase;

/**
 * The database user's password is in the JDBC URL, as operators often write it: no command prints
 * it, neither on standard output nor in a log line on standard error.
 */
class SecretsInOutputIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final String USER = "recon_secret";
    private static final String PASSWORD = "Pw-7rq2Zx9";

    private static TestDatabase.DatabaseRef database;

    @BeforeAll
    static void databaseWithItsOwnUser() throws Exception {
        database = TestDatabase.server().createDatabase("secret");
        new ShopFixture(database.dataSource()).createSchema();
        try (Connection admin = TestDatabase.server().openAdminConnection();
                Statement statement = admin.createStatement()) {
            for (String host : List.of("%", "localhost")) {
                statement.execute(
                        "CREATE USER IF NOT EXISTS '" + USER + "'@'" + host + "' IDENTIFIED BY '" + PASSWORD + "'");
                statement.execute("GRANT ALL ON `" + database.name() + "`.* TO '" + USER + "'@'" + host + "'");
            }
        } catch (SQLException e) {
            // The embedded MariaDB runs without grant tables: it accepts these credentials as they are.
            assertThat(e.getMessage()).contains("skip-grant-tables");
        }
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    private static String urlWithCredentialsInQuery() {
        String url = database.url();
        return url + (url.contains("?") ? "&" : "?") + "user=" + USER + "&password=" + PASSWORD;
    }

    private static String urlWithUserInfo() {
        return database.url().replace("jdbc:mysql://", "jdbc:mysql://" + USER + ":" + PASSWORD + "@");
    }

    private static CliRunner.Result cli(String url, String... words) {
        List<String> args = new ArrayList<>(List.of(words));
        args.add("--spring.datasource.url=" + url);
        args.add("--spring.datasource.driver-class-name=com.mysql.cj.jdbc.Driver");
        args.add("--spring.mail.host=127.0.0.1");
        args.add("--spring.mail.port=" + SMTP.getSmtp().getPort());
        return CliRunner.run(args.toArray(String[]::new));
    }

    @Test
    void checkAndStatusWithThePasswordInTheUrlQueryPrintNoPassword() {
        // when
        CliRunner.Result status = cli(urlWithCredentialsInQuery(), "status");
        CliRunner.Result check = cli(urlWithCredentialsInQuery(), "check");

        // then: both worked with those credentials, and the URL check shows has its password masked
        assertThat(status.exit()).describedAs(status.describe()).isZero();
        assertThat(check.exit()).describedAs(check.describe()).isZero();
        assertThat(check.out()).contains("PASS database:").contains("user=" + USER + "&password=***");
        assertThat(status.describe() + check.describe()).doesNotContain(PASSWORD);
    }

    @Test
    void checkWithThePasswordInTheUrlsUserInfoPrintsNoPassword() {
        // given
        assertThat(cli(urlWithCredentialsInQuery(), "status").exit()).isZero();

        // when
        CliRunner.Result check = cli(urlWithUserInfo(), "check");

        // then
        assertThat(check.out()).describedAs(check.describe()).contains("PASS database:");
        assertThat(check.describe()).doesNotContain(PASSWORD);
    }

    @Test
    void aStartUpFailureThatQuotesTheUrlPrintsNoPassword() {
        // when: the driver does not accept the URL, and the pool says so, quoting it
        CliRunner.Result status =
                cli("jdbc:mysqlx://127.0.0.1:1/shop?user=" + USER + "&password=" + PASSWORD, "status");

        // then
        assertThat(status.exit()).describedAs(status.describe()).isEqualTo(1);
        assertThat(status.err()).contains("password=***");
        assertThat(status.describe()).doesNotContain(PASSWORD);
    }

    @Test
    void aPasswordSettingIsNotPrintedEither() throws Exception {
        // given
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        // when
        CliRunner.Result check = CliRunner.run(
                "check",
                "--spring.datasource.url=jdbc:mysql://127.0.0.1:" + closedPort + "/shop",
                "--spring.datasource.username=" + USER,
                "--spring.datasource.password=" + PASSWORD,
                "--spring.datasource.hikari.initialization-fail-timeout=1",
                "--spring.mail.host=127.0.0.1",
                "--spring.mail.port=" + SMTP.getSmtp().getPort());

        // then
        assertThat(check.exit()).describedAs(check.describe()).isEqualTo(1);
        assertThat(check.out()).contains("FAIL database:");
        assertThat(check.describe()).doesNotContain(PASSWORD);
    }
}
