package shop.reconciler.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.reconciler.ops.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.ServeUnderTest;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.TestDatabase;

/**
 * The console as a browser meets it, over plain HTTP against a real {@code serve}, database and
 * SMTP server: the login form, each page's content for a known shop, who may do what, CSRF.
 */
class ConsoleIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    static final String VIEWER_SECRET = "viewer-Secret-4711";
    static final String OPERATOR_SECRET = "operator-Secret-0815";

    private TestDatabase.DatabaseRef database;
    private ShopFixture shop;
    private ServeUnderTest node;
    private ReconcilerProcess serve;
    private int port;

    @BeforeEach
    void freshShop() throws Exception {
        node = new ServeUnderTest("console", SMTP);
        database = node.database;
        shop = node.shop;
        port = node.port();
        SMTP.purgeEmailFromAllMailboxes();
    }

    @AfterEach
    void stopServe() {
        if (node != null) {
            node.close();
        }
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void pagesShowTheShopToAViewerAndOnlyTheOperatorRequeuesWithACsrfToken() throws Exception {
        // given: one order sent, one whose address is unusable (its notification fails), one open
        shop.processingOrder("C-0001", "ada@example.com", "completed");
        shop.processingOrder("C-<b>2</b>", "not an address", "completed");
        shop.processingOrder("C-0003", "bob@example.com", "completed", "processing");
        startServe(
                "--reconciler.management.viewer.password=" + VIEWER_SECRET,
                "--reconciler.management.operator.password=" + OPERATOR_SECRET);
        await(
                Duration.ofSeconds(60),
                () -> shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'") == 1
                        && shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'failed'") == 1);

        // anonymous: sent to the login page, which is a labelled form
        Browser anonymous = new Browser();
        HttpResponse<String> overviewAnon = anonymous.get("/console");
        assertThat(overviewAnon.statusCode()).isEqualTo(302);
        assertThat(overviewAnon.headers().firstValue("Location").orElse("")).endsWith("/console/login");
        HttpResponse<String> login = anonymous.get("/console/login");
        assertThat(login.body()).contains("<label for=\"username\">", "<label for=\"password\">", "_csrf");
        assertThat(anonymous
                        .post("/console/actions/requeue", "order=C-0001", true)
                        .statusCode())
                .isIn(302, 403);

        // a wrong password is refused
        Browser guess = new Browser();
        assertThat(guess.login("operator", "guess")
                        .headers()
                        .firstValue("Location")
                        .orElse(""))
                .endsWith("/console/login?error");

        // viewer: sees the overview, the notifications and the order lookup, but no action
        Browser viewer = new Browser();
        viewer.login("viewer", VIEWER_SECRET);
        String overview = viewer.get("/console").body();
        assertThat(overview).contains("Overview", "Last executions", "<svg", "<td>reconcile<", "Lease", "UP");
        assertThat(overview).contains("<time datetime=\"").contains(" UTC</time>");
        String execution = viewer.get("/console/executions/1").body();
        assertThat(execution).contains("Execution 1", "<td>reconcile", "<td>send");
        assertThat(viewer.get("/console/executions/999").statusCode()).isEqualTo(404);
        String failed = viewer.get("/console/notifications?status=failed").body();
        assertThat(failed).contains("C-&lt;b&gt;2&lt;/b&gt;").doesNotContain("C-<b>2</b>");
        assertThat(failed).doesNotContain("C-0001").doesNotContain(">Requeue</button>");
        String order = viewer.get("/console/orders?code=C-0003").body();
        assertThat(order).contains("Order C-0003", "open", "processing");
        assertThat(viewer.get("/console/orders?code=NOPE").body()).contains("No order with code 'NOPE'");
        assertThat(viewer.post("/console/actions/requeue", "order=C-%3Cb%3E2%3C%2Fb%3E", true)
                        .statusCode())
                .isEqualTo(403);

        // operator: sees the requeue button; without the CSRF token the action is refused
        Browser operator = new Browser();
        operator.login("operator", OPERATOR_SECRET);
        assertThat(operator.get("/console/notifications?status=failed").body()).contains(">Requeue</button>");
        shop.jdbc().update("UPDATE orders SET user_email = 'carol@example.com' WHERE order_code = 'C-<b>2</b>'");
        assertThat(operator.post("/console/actions/requeue", "order=C-%3Cb%3E2%3C%2Fb%3E", false)
                        .statusCode())
                .isEqualTo(403);
        assertThat(shop.notification("C-<b>2</b>").get("status")).isEqualTo("failed");

        // with it, the notification goes back in the queue (and the next run sends it)
        HttpResponse<String> requeued = operator.post("/console/actions/requeue", "order=C-%3Cb%3E2%3C%2Fb%3E", true);
        assertThat(requeued.statusCode()).isEqualTo(303);
        String queuedPage = operator.get("/console/notifications?status=queued").body();
        assertThat(queuedPage).contains("requeued C-&lt;b&gt;2&lt;/b&gt;");
        await(
                Duration.ofSeconds(60),
                () -> "sent".equals(shop.notification("C-<b>2</b>").get("status")));
        assertThat(serve.output()).contains("console: operator requeue C-<b>2</b>: requeued");
    }

    @Test
    void actionsOffMakeTheConsoleReadOnlyAndSayingSo() throws Exception {
        shop.processingOrder("C-0002", "not an address", "completed");
        startServe(
                "--reconciler.console.actions=false", "--reconciler.management.operator.password=" + OPERATOR_SECRET);
        await(Duration.ofSeconds(60), () -> shop.count("SELECT COUNT(*) FROM order_notifications") == 1);
        Browser operator = new Browser();
        operator.login("operator", OPERATOR_SECRET);
        String page = operator.get("/console/notifications?status=failed").body();
        assertThat(page).contains("Read-only", "C-0002").doesNotContain(">Requeue</button>");
        shop.jdbc().update("UPDATE orders SET user_email = 'dan@example.com'");
        assertThat(operator.post("/console/actions/requeue", "order=C-0002", true)
                        .statusCode())
                .isEqualTo(403);
        assertThat(shop.notification("C-0002").get("status")).isEqualTo("failed");
    }

    @Test
    void consoleOffServesNothingUnderConsole() throws Exception {
        startServe(
                "--reconciler.console.enabled=false", "--reconciler.management.operator.password=" + OPERATOR_SECRET);
        Browser anonymous = new Browser();
        await(Duration.ofSeconds(60), () -> {
            try {
                return anonymous.get("/actuator/health").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(anonymous.get("/console/login").statusCode()).isIn(401, 403);
    }

    /** One browser: a cookie jar, no automatic redirects. */
    private final class Browser {
        private final HttpClient http = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        private String csrf;

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri(path))
                            .timeout(Duration.ofSeconds(20))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(response.body());
            if (token.find()) {
                csrf = token.group(1);
            }
            return response;
        }

        HttpResponse<String> post(String path, String form, boolean withToken)
                throws IOException, InterruptedException {
            if (withToken && csrf == null) {
                get("/console/login");
            }
            String body = withToken ? form + "&_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8) : form;
            return http.send(
                    HttpRequest.newBuilder(uri(path))
                            .timeout(Duration.ofSeconds(20))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> login(String user, String password) throws IOException, InterruptedException {
            get("/console/login");
            HttpResponse<String> response = post(
                    "/console/login",
                    "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                            + URLEncoder.encode(password, StandardCharsets.UTF_8),
                    true);
            csrf = null; // a new session after login: a new token
            return response;
        }

        private URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }
    }

    private void startServe(String... extra) {
        serve = node.start(extra);
    }

    private void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        node.await(limit, condition);
    }

    private List<String> springArgs() {
        return node.springArgs();
    }

    private CliRunner.Result cli(String... args) {
        return node.cli(args);
    }
}
