package shop.reconciler.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.ServeUnderTest;
import shop.reconciler.support.SystemPackages;

/**
 * A scheduled install's metrics: {@code run} as a process of its own, as a CronJob or a systemd
 * timer starts it, pushes its meters to a real Prometheus Pushgateway (Debian's, started here on a
 * free loopback port, without persistence), grouped by job and instance; what Prometheus would
 * scrape from the Pushgateway is what the run did.
 */
class PushgatewayIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Process pushgateway;
    private static int port;

    @BeforeAll
    static void startPushgateway() throws Exception {
        Path binary = SystemPackages.require("prometheus-pushgateway", "prometheus-pushgateway");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        File log = File.createTempFile("pushgateway-", ".log");
        pushgateway = new ProcessBuilder(
                        binary.toString(), "--web.listen-address=127.0.0.1:" + port, "--persistence.file=")
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        Instant end = Instant.now().plusSeconds(30);
        while (true) {
            try {
                if (get("/-/ready").statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (Instant.now().isAfter(end) || !pushgateway.isAlive()) {
                throw new AssertionError("the Pushgateway did not start:\n" + Files.readString(log.toPath()));
            }
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (pushgateway != null) {
            pushgateway.destroy();
            pushgateway.waitFor();
        }
        SMTP.stop();
    }

    @Test
    void runPushesWhatItDidAndALaterRunThatDidNothingKeepsTheLastSuccess() throws Exception {
        try (ServeUnderTest node = new ServeUnderTest("push", SMTP)) {
            // given: three finished orders and one without tasks (an anomaly)
            for (int i = 1; i <= 3; i++) {
                node.shop.processingOrder("PG-" + i, "pg" + i + "@example.com", "completed");
            }
            node.shop.order("PG-ANOMALY", "pga@example.com", "processing");
            long before = Instant.now().getEpochSecond();

            // when: run, as a scheduler starts it, with the Pushgateway configured
            ReconcilerProcess run = run(node);

            // then: it did its work and exited 0
            assertThat(run.waitFor(120)).describedAs(run.output()).isZero();
            long after = Instant.now().getEpochSecond();
            assertThat(SMTP.getReceivedMessages()).hasSize(3);

            // and: the Pushgateway holds the run's meters under job and instance
            Map<String, Double> pushed = series("shop-test");
            assertThat(pushed.get("reconciler_orders_completed_total")).isEqualTo(3.0);
            assertThat(pushed.get("reconciler_notifications_total{outcome=\"queued\"}"))
                    .isEqualTo(3.0);
            assertThat(pushed.get("reconciler_notifications_total{outcome=\"sent\"}"))
                    .isEqualTo(3.0);
            assertThat(pushed.get("reconciler_anomalies")).isEqualTo(1.0);
            assertThat(pushed.get("reconciler_lease_held")).isZero();
            double lastSuccess = pushed.get("reconciler_last_success_timestamp_seconds");
            assertThat(lastSuccess).isBetween((double) before, (double) after);
            assertThat(pushed.get("push_time_seconds")).isBetween((double) before, (double) after + 1);
            // the backlog as the run left it, read after the run
            assertThat(pushed.get("reconciler_orders_finished_pending")).isZero();
            assertThat(pushed.get("reconciler_notifications_status{status=\"sent\"}"))
                    .isEqualTo(3.0);
            // Spring Batch's own meters are in the pushed set; the JVM's are not
            assertThat(pushed.keySet())
                    .anyMatch(name -> name.startsWith("spring_batch_job_seconds_count{"))
                    .anyMatch(name ->
                            name.startsWith("spring_batch_step_seconds_count{") && name.contains("name=\"send\""))
                    .noneMatch(name -> name.startsWith("jvm_"));

            // when: a second run finds the lease held by another node and does nothing (exit 75)
            node.shop
                    .jdbc()
                    .update("UPDATE shedlock SET lock_until = UTC_TIMESTAMP(3) + INTERVAL 1 HOUR,"
                            + " locked_at = UTC_TIMESTAMP(3), locked_by = 'node-b' WHERE name = 'orderCompletionJob'");
            long second = Instant.now().getEpochSecond();
            ReconcilerProcess idle = run(node);
            assertThat(idle.waitFor(120)).describedAs(idle.output()).isEqualTo(75);

            // then: its push replaced the group (push time, counts), and the last success is still
            // the first run's, from the job repository (whole seconds there)
            Map<String, Double> later = series("shop-test");
            assertThat(later.get("push_time_seconds")).isGreaterThanOrEqualTo(second);
            assertThat(later.get("reconciler_orders_completed_total")).isZero();
            assertThat(later.get("reconciler_last_success_timestamp_seconds"))
                    .isBetween(lastSuccess - 2, lastSuccess + 1);
        }
    }

    private ReconcilerProcess run(ServeUnderTest node) {
        List<String> args = new ArrayList<>(List.of(
                "run",
                "--management.prometheus.metrics.export.pushgateway.enabled=true",
                "--management.prometheus.metrics.export.pushgateway.address=127.0.0.1:" + port,
                "--management.prometheus.metrics.export.pushgateway.grouping-key.instance=shop-test"));
        args.addAll(node.springArgs());
        return ReconcilerProcess.start(args);
    }

    /**
     * The series of the group job="order-reconciler", instance as given, as the Pushgateway's own
     * /metrics shows them to Prometheus: name{other labels} to value; labels the group and the
     * application tag add are left out of the key.
     */
    private static Map<String, Double> series(String instance) throws Exception {
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        Map<String, Double> found = new TreeMap<>();
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith("#") || !line.contains("{")) {
                continue;
            }
            String name = line.substring(0, line.indexOf('{'));
            String labels = line.substring(line.indexOf('{') + 1, line.lastIndexOf('}'));
            List<String> kept = new ArrayList<>();
            boolean job = false;
            boolean ours = false;
            for (String label : labels.split(",(?=[a-z_]+=\")")) {
                if (label.equals("job=\"order-reconciler\"")) {
                    job = true;
                } else if (label.equals("instance=\"" + instance + "\"")) {
                    ours = true;
                } else if (!label.startsWith("application=")) {
                    kept.add(label);
                }
            }
            if (job && ours) {
                String key = kept.isEmpty() ? name : name + "{" + String.join(",", kept) + "}";
                found.put(key, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        assertThat(found)
                .describedAs("series of job order-reconciler, instance %s:\n%s", instance, metrics.body())
                .isNotEmpty();
        return found;
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
