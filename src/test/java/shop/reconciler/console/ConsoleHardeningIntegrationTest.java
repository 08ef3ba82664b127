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
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.ServeUnderTest;

/**
 * The console and the HTTP port against what a browser and an attacker do, on a real
 * {@code serve}: an order code with every awkward character its column admits is found through
 * the console's links; every page carries a Content-Security-Policy its own markup obeys; error
 * pages and wrong addresses answer without a Basic-auth dialog; failed sign-ins are logged once
 * each and, five within a minute, refused with 429 until the lockout has passed.
 */
class ConsoleHardeningIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final String VIEWER_SECRET = "viewer-Secret-4711";
    private static final String OPERATOR_SECRET = "operator-Secret-0815";
    /** 19 characters, within the 32 of orders.order_code: / ? # % & + = space and Unicode. */
    private static final String AWKWARD = "A/B?c#d%e f+g&h=ü€";

    private static final String ANOMALY = "Z/?#% Ω";

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void linksFindAnyCodePagesCarryACspErrorsAskForNoBasicLoginAndFailedSignInsAreThrottled() throws Exception {
        try (ServeUnderTest node = new ServeUnderTest("harden", SMTP)) {
            // given: a failed notification (no usable address) and an anomaly, both with awkward codes
            node.shop.processingOrder(AWKWARD, "not an address", "completed");
            node.shop.order(ANOMALY, "z@example.com", "processing");
            ReconcilerProcess serve = node.start(
                    "--reconciler.management.viewer.password=" + VIEWER_SECRET,
                    "--reconciler.management.operator.password=" + OPERATOR_SECRET,
                    "--reconciler.management.sign-in-lockout=4s");
            node.await(
                    ReconcilerProcess.STARTED_WITHIN,
                    () -> node.shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'failed'") == 1);
            Browser viewer = new Browser(node.port());
            assertThat(viewer.login("viewer", VIEWER_SECRET).statusCode()).isEqualTo(302);

            // when: the viewer follows the links of the failed notification and of the anomaly
            HttpResponse<String> failed = viewer.get("/console/notifications?status=failed");
            String notificationLink = link(failed.body(), AWKWARD);
            HttpResponse<String> overview = viewer.get("/console");
            String anomalyLink = link(overview.body(), ANOMALY);

            // then: each leads to its order
            assertThat(viewer.get(notificationLink).body())
                    .contains("Order " + html(AWKWARD))
                    .doesNotContain("No order with code");
            assertThat(viewer.get(anomalyLink).body())
                    .contains("Order " + html(ANOMALY))
                    .doesNotContain("No order with code");

            // and: every page carries the policy, and its markup needs nothing the policy forbids
            for (HttpResponse<String> page :
                    new HttpResponse[] {failed, overview, new Browser(node.port()).get("/console/login")}) {
                assertThat(page.headers().firstValue("Content-Security-Policy"))
                        .describedAs("CSP of %s", page.uri())
                        .hasValueSatisfying(csp -> assertThat(csp)
                                .contains("default-src 'self'", "script-src 'self'", "style-src 'self'")
                                .contains("frame-ancestors 'none'")
                                .doesNotContain("unsafe-inline", "unsafe-eval"));
                assertThat(page.body())
                        .doesNotContainPattern("<script(?![^>]*\\bsrc=\"/console/assets/)")
                        .doesNotContainPattern("\\sstyle=")
                        .doesNotContainPattern("\\son[a-z]+=")
                        .doesNotContainPattern("<style");
            }

            // and: error pages and wrong addresses are answered without a Basic-auth challenge
            HttpResponse<String> error = viewer.getAsBrowser("/error");
            HttpResponse<String> missing = viewer.getAsBrowser("/console/no-such-page");
            HttpResponse<String> elsewhere = new Browser(node.port()).getAsBrowser("/anything");
            for (HttpResponse<String> response : java.util.List.of(error, missing, elsewhere)) {
                assertThat(response.headers().allValues("WWW-Authenticate"))
                        .describedAs("WWW-Authenticate of %s (%d)", response.uri(), response.statusCode())
                        .isEmpty();
                assertThat(response.statusCode()).isNotEqualTo(401);
            }
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(elsewhere.statusCode()).isEqualTo(403);
            // a machine asking Actuator for what needs an account is still asked for one
            Browser machine = new Browser(node.port());
            HttpResponse<String> actuator = machine.get("/actuator", null);
            assertThat(actuator.statusCode()).isEqualTo(401);
            assertThat(actuator.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));

            // when: five wrong passwords for the viewer over HTTP Basic within a minute
            for (int i = 1; i <= 5; i++) {
                assertThat(machine.get("/actuator", basic("viewer", "guess-" + i))
                                .statusCode())
                        .isEqualTo(401);
            }
            HttpResponse<String> locked = machine.get("/actuator", basic("viewer", VIEWER_SECRET));
            HttpResponse<String> sameClient = machine.get("/actuator", basic("operator", OPERATOR_SECRET));

            // then: the right password is refused too, from this address for any account, for a while;
            // once the lockout has passed, it signs in (and a success clears the count)
            assertThat(locked.statusCode()).isEqualTo(429);
            assertThat(locked.headers().firstValue("Retry-After"))
                    .hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 4));
            assertThat(locked.body()).contains("Too many failed sign-ins");
            assertThat(sameClient.statusCode()).isEqualTo(429);
            Thread.sleep(4_500);
            assertThat(machine.get("/actuator", basic("viewer", VIEWER_SECRET)).statusCode())
                    .isEqualTo(200);

            // and: each failure logged once with the account and the address, no password anywhere
            String log = serve.output();
            assertThat(countOf(log, "sign-in failed: account \"viewer\" from 127.0.0.1"))
                    .isEqualTo(5);
            assertThat(log).contains("sign-in refused for 4 s: 5 failures for account \"viewer\" within 60 s");
            assertThat(log).contains("sign-in refused for 4 s: 5 failures from 127.0.0.1 within 60 s");
            assertThat(log).doesNotContain("guess-", VIEWER_SECRET, OPERATOR_SECRET);

            // when: the console's form is tried five times with a name that holds an escape sequence
            Thread.sleep(4_500);
            String forged = "mallory\u001b[31m\nforged line";
            Browser attacker = new Browser(node.port());
            for (int i = 1; i <= 5; i++) {
                assertThat(attacker.login(forged, "nope-" + i).headers().firstValue("Location"))
                        .hasValueSatisfying(v -> assertThat(v).endsWith("/console/login?error"));
            }
            HttpResponse<String> refused = attacker.login(forged, "nope-6");

            // then: refused with 429, and the name is logged escaped, on one line
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(serve.output())
                    .contains("sign-in failed: account \"mallory\\e[31m\\nforged line\" from 127.0.0.1")
                    .doesNotContain("\nforged line")
                    .doesNotContain("nope-");
        }
    }

    /** The href of the link whose text is this code, as the page has it (HTML-escaped as JMustache does). */
    private static String link(String page, String code) {
        Matcher m = Pattern.compile("<a href=\"(/console/orders\\?code=[^\"]*)\">" + Pattern.quote(html(code)) + "</a>")
                .matcher(page);
        assertThat(m.find()).describedAs("a link to %s in\n%s", code, page).isTrue();
        return m.group(1).replace("&amp;", "&");
    }

    private static String html(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;")
                .replace("`", "&#x60;")
                .replace("=", "&#x3D;");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static int countOf(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            count++;
        }
        return count;
    }

    /** One browser: a cookie jar, no automatic redirects. */
    private static final class Browser {
        private final int port;
        private final HttpClient http = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        private String csrf;

        Browser(int port) {
            this.port = port;
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return get(path, null);
        }

        HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            return remember(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        }

        /** As a browser asks for a page. */
        HttpResponse<String> getAsBrowser(String path) throws IOException, InterruptedException {
            return http.send(
                    HttpRequest.newBuilder(uri(path))
                            .timeout(Duration.ofSeconds(20))
                            .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> login(String user, String password) throws IOException, InterruptedException {
            get("/console/login");
            String body = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                    + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf="
                    + URLEncoder.encode(csrf, StandardCharsets.UTF_8);
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri("/console/login"))
                            .timeout(Duration.ofSeconds(20))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            csrf = null;
            return response;
        }

        private HttpResponse<String> remember(HttpResponse<String> response) {
            Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(response.body());
            if (token.find()) {
                csrf = token.group(1);
            }
            return response;
        }

        private URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }
    }
}
