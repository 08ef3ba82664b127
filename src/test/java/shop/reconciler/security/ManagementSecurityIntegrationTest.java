package shop.reconciler.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.ServeUnderTest;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.TestDatabase;

/**
 * What {@code serve}'s HTTP port shows to whom, as a scheduler's probe, monitoring and an operator
 * meet it: a real process, a real database and SMTP server, plain HTTP requests. Health's status
 * and the Prometheus scrape are open; health's details need an account; nothing listens beyond
 * loopback; and a probe hammering health does not disturb a run.
 */
class ManagementSecurityIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final String VIEWER_SECRET = "viewer-Secret-4711";
    private static final String OPERATOR_SECRET = "operator-Secret-0815";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TestDatabase.DatabaseRef database;
    private ShopFixture shop;
    private ServeUnderTest node;
    private ReconcilerProcess serve;
    private int port;

    @BeforeEach
    void freshShop() throws Exception {
        node = new ServeUnderTest("mgmt", SMTP);
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
    void healthStatusAndMetricsAreOpenDetailsNeedAnAccountAndNothingElseIsServed() throws Exception {
        // given: serve with a viewer (raw secret, as from the environment) and an operator whose
        // password is configured as a bcrypt hash
        seedFinishedOrders(3);
        String operatorHash = "{bcrypt}" + new BCryptPasswordEncoder().encode(OPERATOR_SECRET);
        startServe(
                "--reconciler.management.viewer.password=" + VIEWER_SECRET,
                "--reconciler.management.operator.username=ops",
                "--reconciler.management.operator.password=" + operatorHash);
        // (a slow start on a loaded machine: the first run may take long to come)
        await(Duration.ofSeconds(180), () -> completedRuns() >= 1);

        // when
        HttpResponse<String> anonymous = get("/actuator/health", null);
        HttpResponse<String> viewer = get("/actuator/health", basic("viewer", VIEWER_SECRET));
        HttpResponse<String> operator = get("/actuator/health", basic("ops", OPERATOR_SECRET));
        HttpResponse<String> wrong = get("/actuator/health", basic("viewer", "guess"));
        HttpResponse<String> prometheus = get("/actuator/prometheus", null);
        HttpResponse<String> links = get("/actuator", null);
        HttpResponse<String> viewerLinks = get("/actuator", basic("viewer", VIEWER_SECRET));
        HttpResponse<String> elsewhere = get("/anything", null);

        // then: the status for anyone, the details only for an account
        assertThat(anonymous.statusCode()).describedAs(anonymous.body()).isEqualTo(200);
        assertThat(anonymous.body()).contains("\"status\":\"UP\"").doesNotContain("reconciler", "db", "diskSpace");
        assertThat(viewer.statusCode()).isEqualTo(200);
        assertThat(viewer.body()).contains("\"reconciler\"").contains("\"db\"").contains("lastCompletedRun");
        assertThat(operator.body()).contains("\"reconciler\"");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain("reconciler");
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("reconciler_orders_completed_total");
        // Spring Batch's own observations: the job, each step (the partitions' too), items and chunks
        assertThat(prometheus.body())
                .containsPattern(
                        "(?m)^spring_batch_job_seconds_count\\{[^}]*spring_batch_job_name=\"orderCompletionJob\""
                                + "[^}]*spring_batch_job_status=\"COMPLETED\"[^}]*} [1-9]")
                .containsPattern(
                        "(?m)^spring_batch_step_seconds_count\\{[^}]*spring_batch_step_name=\"send\"[^}]*} [1-9]")
                .containsPattern(
                        "(?m)^spring_batch_step_seconds_count\\{[^}]*spring_batch_step_name=\"reconcile-partition:[^\"]+\"[^}]*} [1-9]")
                .containsPattern("(?m)^spring_batch_item_read_seconds_count\\{[^}]*} [1-9]")
                .containsPattern("(?m)^spring_batch_chunk_write_seconds_count\\{[^}]*} [1-9]");
        assertThat(links.statusCode()).isEqualTo(401);
        assertThat(viewerLinks.statusCode()).isEqualTo(200);
        assertThat(elsewhere.statusCode()).isIn(401, 403);
        // Boot's SMTP health check is off: health opens no connection to the mail server
        assertThat(viewer.body()).doesNotContain("\"mail\"");

        // and: nothing listens beyond loopback
        List<InetAddress> others = nonLoopbackAddresses();
        assertThat(others)
                .describedAs("a non-loopback address of this machine to try")
                .isNotEmpty();
        for (InetAddress address : others) {
            assertThat(connects(address, port))
                    .describedAs("port %d on %s", port, address)
                    .isFalse();
        }
        assertThat(connects(InetAddress.getLoopbackAddress(), port)).isTrue();

        // and: no secret and no generated password in what serve printed
        String output = serve.output();
        assertThat(output).doesNotContain(VIEWER_SECRET, OPERATOR_SECRET, operatorHash);
        assertThat(output).doesNotContainIgnoringCase("generated security password");

        // and: between two ticks, SIGTERM ends serve at once (it does not wait for the next tick)
        await(
                Duration.ofSeconds(30),
                () -> shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS IN ('STARTING', 'STARTED')")
                        == 0);
        Instant signalled = Instant.now();
        serve.process().destroy();
        assertThat(serve.waitFor(30)).isEqualTo(143);
        assertThat(Duration.between(signalled, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aProbeHammeringHealthDuringARunDoesNotDisturbIt() throws Exception {
        // given: a run that takes at least 6 s (each notification insert sleeps 0.1 s)
        seedFinishedOrders(60);
        shop.jdbc()
                .execute("CREATE TRIGGER slow_notifications BEFORE INSERT ON order_notifications FOR EACH ROW"
                        + " BEGIN DO SLEEP(0.1); END");
        // (serve as installed: the latency measured is production's)
        node.asInstalled();
        startServe("--reconciler.management.viewer.password=" + VIEWER_SECRET);
        await(ReconcilerProcess.STARTED_WITHIN, () -> connects(InetAddress.getLoopbackAddress(), port));
        assertThat(completedOrders())
                .describedAs("orders completed before the probe starts")
                .isLessThan(60);

        // when: four clients ask for health (two of them for its details) without a pause until
        // the run has completed every order
        AtomicBoolean done = new AtomicBoolean();
        List<Duration> slowest = Collections.synchronizedList(new ArrayList<>());
        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<Integer>> counts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String authorization = i % 2 == 0 ? null : basic("viewer", VIEWER_SECRET);
            counts.add(clients.submit(() -> hammer(authorization, done, slowest, statuses)));
        }
        await(Duration.ofSeconds(90), () -> completedOrders() == 60 && completedRuns() >= 1);
        done.set(true);
        clients.shutdown();
        assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        int requests = 0;
        for (Future<Integer> count : counts) {
            requests += count.get();
        }

        // then: the run completed every order with one email each while health answered every
        // request, each within 3 s (a second or less on an idle machine; the first includes warm-up)
        assertThat(requests).isGreaterThan(100);
        assertThat(statuses).allSatisfy(status -> assertThat(status).isIn(200, 503));
        assertThat(slowest).allSatisfy(time -> assertThat(time).isLessThan(Duration.ofSeconds(3)));
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'FAILED'"))
                .isZero();
        await(Duration.ofSeconds(30), () -> SMTP.getReceivedMessages().length == 60);
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'"))
                .isEqualTo(60);
        assertThat(SMTP.getReceivedMessages()).hasSize(60);
    }

    private int hammer(String authorization, AtomicBoolean done, List<Duration> slowest, List<Integer> statuses)
            throws IOException, InterruptedException {
        int sent = 0;
        Duration worst = Duration.ZERO;
        while (!done.get()) {
            Instant start = Instant.now();
            HttpResponse<String> response = get("/actuator/health", authorization);
            Duration took = Duration.between(start, Instant.now());
            worst = took.compareTo(worst) > 0 ? took : worst;
            statuses.add(response.statusCode());
            sent++;
        }
        slowest.add(worst);
        return sent;
    }

    private void startServe(String... extra) {
        serve = node.start(extra);
    }

    private HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static List<InetAddress> nonLoopbackAddresses() throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                Collections.list(nic.getInetAddresses()).stream()
                        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                        .forEach(addresses::add);
            }
        }
        return addresses;
    }

    private static boolean connects(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2_000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        node.await(limit, condition);
    }

    private void seedFinishedOrders(int count) {
        for (int i = 1; i <= count; i++) {
            shop.processingOrder(String.format("M-%04d", i), "m" + i + "@example.com", "completed");
        }
    }

    private int completedOrders() {
        return shop.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'");
    }

    private int completedRuns() {
        return shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'");
    }

    private List<String> springArgs() {
        return node.springArgs();
    }

    private CliRunner.Result cli(String... args) {
        return node.cli(args);
    }
}
