package shop.reconciler.support;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One signed-in browser of the console on {@code serve}'s port: a cookie jar, its CSRF token. */
public final class ConsoleSession {

    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final int port;
    private String csrf;

    public ConsoleSession(int port) {
        this.port = port;
    }

    /** Signs in; the session answers pages from then on. */
    public ConsoleSession login(String user, String password) throws IOException, InterruptedException {
        get("/console/login");
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf="
                + URLEncoder.encode(csrf, StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri("/console/login"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String location = response.headers().firstValue("Location").orElse("");
        if (response.statusCode() != 302 || location.contains("error")) {
            throw new AssertionError("sign-in as " + user + " refused: " + response.statusCode() + " " + location);
        }
        return this;
    }

    /**
     * Posts the sign-in form and answers what the server did (a redirect, to the error page for
     * a refusal), without judging it; the session's next token comes with its next page.
     */
    public HttpResponse<String> signIn(String user, String password) throws IOException, InterruptedException {
        get("/console/login");
        HttpResponse<String> response = post(
                "/console/login",
                "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                        + URLEncoder.encode(password, StandardCharsets.UTF_8),
                true);
        csrf = null;
        return response;
    }

    /** Whether the sign-in page answers (serve is up). */
    public boolean reachable() {
        try {
            return get("/console/login").statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A form post, with the session's CSRF token when {@code withToken} (a page is read for one first). */
    public HttpResponse<String> post(String path, String form, boolean withToken)
            throws IOException, InterruptedException {
        if (withToken && csrf == null) {
            get("/console/login");
        }
        String body = withToken ? form + "&_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8) : form;
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(path, Duration.ofSeconds(30));
    }

    public HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri(path)).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
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
