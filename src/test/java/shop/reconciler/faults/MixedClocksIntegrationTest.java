package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import shop.reconciler.support.ConsoleSession;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.ServeUnderTest;
import shop.reconciler.support.ShopFixture;

/**
 * Nodes, and the database session, in different time zones, and a node whose clocks change for
 * daylight saving time: health, the backlog gauges, the console's times and the dead-execution
 * verdict are measured on the database's clock, whatever zone each wall clock was written in.
 * The nodes are real processes started with {@code -Duser.timezone}; the database session's zone
 * is set in the JDBC URL ({@code sessionVariables=time_zone=...}), and so is the database's "now"
 * ({@code timestamp=...}) where a test needs a date around a change of the clocks.
 */
class MixedClocksIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final String VIEWER_SECRET = "viewer-Secret-4711";
    private static final String SESSION_ZONE = "time_zone='-03:00'";

    private ServeUnderTest node;

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
    void nodesInLosAngelesAndTokyoAndADatabaseSessionAtMinusThreeAgreeOnHealthGaugesAndConsoleTimes() throws Exception {
        // given: the database session at -03:00; a node in Los Angeles (UTC-8) ran the job
        node = new ServeUnderTest("clocks", SMTP).withUrlParameters("sessionVariables=" + SESSION_ZONE);
        ShopFixture shop = node.shop;
        for (int i = 1; i <= 3; i++) {
            shop.processingOrder("TZ-" + i, "tz" + i + "@example.com", "completed");
        }
        SMTP.purgeEmailFromAllMailboxes();
        Instant before = Instant.now().minusSeconds(1);
        ReconcilerProcess writer =
                ReconcilerProcess.start(List.of("-Duser.timezone=America/Los_Angeles"), args("run", node.springArgs()));
        assertThat(writer.waitFor(120)).describedAs(writer.output()).isZero();
        Instant after = Instant.now().plusSeconds(1);
        assertThat(SMTP.getReceivedMessages()).hasSize(3);
        long executionId = shop.count("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION");
        // and a notification queued two hours ago, stamped by the database in its session's zone
        long late = shop.order("TZ-LATE", "late@example.com", "completed");
        new JdbcTemplate(sessionDataSource())
                .update(
                        "INSERT INTO order_notifications (order_id, order_code, recipient, status, created_at)"
                                + " VALUES (?, 'TZ-LATE', 'late@example.com', 'queued', TIMESTAMPADD(HOUR, -2, NOW(3)))",
                        late);

        // when: a node in Tokyo (UTC+9) serves; a run every 4 hours, stale after one interval
        node.withJvmOptions("-Duser.timezone=Asia/Tokyo")
                .startOnCron(
                        "0 0 */4 * * *",
                        "--reconciler.health.stale-after-runs=1",
                        "--reconciler.management.viewer.password=" + VIEWER_SECRET);
        HttpClient http = HttpClient.newHttpClient();
        node.await(ReconcilerProcess.STARTED_WITHIN, () -> answers(http, "/actuator/health"));
        HttpResponse<String> health = http.send(request("/actuator/health"), HttpResponse.BodyHandlers.ofString());
        String scrape = http.send(request("/actuator/prometheus"), HttpResponse.BodyHandlers.ofString())
                .body();

        // then: the run 17 hours "ago" in Tokyo's wall clock ended seconds ago on the database's
        assertThat(health.statusCode()).describedAs(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        double lastCompletedAge = value(scrape, "reconciler_last_completed_age_seconds");
        assertThat(lastCompletedAge)
                .isBetween(0.0, Duration.between(before, Instant.now()).toSeconds() + 5.0);
        // and the queued notification is two hours old, not two plus the zones' difference
        assertThat(value(scrape, "reconciler_notifications_oldest_queued_age_seconds"))
                .isBetween(7_150.0, 7_400.0);

        // when: a viewer opens the execution and the overview
        ConsoleSession viewer = new ConsoleSession(node.port()).login("viewer", VIEWER_SECRET);
        String page = viewer.get("/console/executions/" + executionId).body();
        String overview = viewer.get("/console").body();
        String notifications =
                viewer.get("/console/notifications?status=queued").body();

        // then: the execution started at a true UTC instant, between the test's two readings
        Instant started = firstTime(page);
        assertThat(started).isBetween(before, after);
        assertThat(overview).contains("datetime=\"" + iso(started) + "\"");
        // and the queued notification's time is two hours before now, in UTC
        Instant queued = firstTime(notifications);
        assertThat(Duration.between(queued, Instant.now()).toMinutes()).isBetween(118L, 122L);
    }

    @Test
    void aNodeInBerlinIsNotTakenForDeadAcrossDaylightSavingChangesAndADeadOneIsRecovered() throws Exception {
        // given: an execution run by a node in Europe/Berlin
        node = new ServeUnderTest("dst", SMTP).withUrlParameters("sessionVariables=" + SESSION_ZONE);
        ShopFixture shop = node.shop;
        shop.processingOrder("DST-1", "dst1@example.com", "completed");
        ReconcilerProcess berlin =
                ReconcilerProcess.start(List.of("-Duser.timezone=Europe/Berlin"), args("run", node.springArgs()));
        assertThat(berlin.waitFor(120)).describedAs(berlin.output()).isZero();
        long id = shop.count("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION");

        // when: it shows as running, last updated at 02:05 Berlin time on the night the clocks went
        // back, and a node in Kolkata runs at 02:10 of the second pass (01:10 UTC)
        runningSince(shop, id, "2026-10-25 02:05:00");
        String fallBack = runAt("2026-10-25T01:10:00Z");

        // then: 5 minutes of silence, not 65: left alone
        assertThat(fallBack).contains("execution " + id + " is STARTED and was updated 5m");
        assertThat(status(shop, id)).isEqualTo("STARTED");

        // when: last updated at 01:55 on the night the clocks went forward, now 03:05 summer time
        runningSince(shop, id, "2027-03-28 01:55:00");
        String springForward = runAt("2027-03-28T01:05:00Z");

        // then: 10 minutes of silence, not 70: left alone
        assertThat(springForward).contains("execution " + id + " is STARTED and was updated 10m");
        assertThat(status(shop, id)).isEqualTo("STARTED");

        // when: last updated at 01:00 winter time that night, 65 minutes before
        runningSince(shop, id, "2027-03-28 01:00:00");
        String silent = runAt("2027-03-28T01:05:00Z");

        // then: silent for longer than at-most-for (30 minutes): recovered
        assertThat(silent).contains("execution " + id + " was STARTED but its process is gone");
        assertThat(status(shop, id)).isEqualTo("FAILED");
    }

    /** {@code run} on a node in Asia/Kolkata with the database's clock set to {@code utc}; its output. */
    private String runAt(String utc) throws InterruptedException {
        long epoch = Instant.parse(utc).getEpochSecond();
        List<String> springArgs = new ArrayList<>();
        for (String arg : node.springArgs()) {
            springArgs.add(
                    arg.startsWith("--spring.datasource.url=")
                            ? arg.replace(SESSION_ZONE, SESSION_ZONE + ",timestamp=" + epoch)
                            : arg);
        }
        springArgs.add("--reconciler.lock.at-most-for=30m");
        ReconcilerProcess reader =
                ReconcilerProcess.start(List.of("-Duser.timezone=Asia/Kolkata"), args("run", springArgs));
        int exit = reader.waitFor(120);
        assertThat(exit).describedAs(reader.output()).isZero();
        return reader.output();
    }

    /** The execution and its steps as a live run leaves them, last updated at this Berlin wall clock. */
    private static void runningSince(ShopFixture shop, long id, String berlinWallClock) {
        shop.jdbc().update("DELETE FROM shedlock");
        shop.jdbc()
                .update(
                        "UPDATE BATCH_JOB_EXECUTION SET STATUS = 'STARTED', EXIT_CODE = 'UNKNOWN', END_TIME = NULL,"
                                + " START_TIME = ?, LAST_UPDATED = ? WHERE JOB_EXECUTION_ID = ?",
                        berlinWallClock,
                        berlinWallClock,
                        id);
        shop.jdbc()
                .update(
                        "UPDATE BATCH_STEP_EXECUTION SET STATUS = 'STARTED', EXIT_CODE = 'EXECUTING', END_TIME = NULL,"
                                + " START_TIME = ?, LAST_UPDATED = ? WHERE JOB_EXECUTION_ID = ?",
                        berlinWallClock,
                        berlinWallClock,
                        id);
    }

    private static String status(ShopFixture shop, long id) {
        return shop.jdbc()
                .queryForObject("SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?", String.class, id);
    }

    private DriverManagerDataSource sessionDataSource() {
        DriverManagerDataSource dataSource =
                new DriverManagerDataSource(node.url(), node.database.username(), node.database.password());
        dataSource.setDriverClassName("com.mysql.cj.jdbc.Driver");
        return dataSource;
    }

    private static List<String> args(String command, List<String> springArgs) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(springArgs);
        return all;
    }

    private boolean answers(HttpClient http, String path) {
        try {
            return http.send(request(path), HttpResponse.BodyHandlers.ofString())
                            .statusCode()
                    < 500;
        } catch (Exception e) {
            return false;
        }
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    private static Instant firstTime(String html) {
        Matcher m = Pattern.compile("<time datetime=\"([^\"]+)\"").matcher(html);
        assertThat(m.find()).describedAs(html).isTrue();
        return Instant.parse(m.group(1));
    }

    private static String iso(Instant instant) {
        return instant.toString();
    }

    private static double value(String scrape, String metric) {
        return scrape.lines()
                .filter(l -> l.startsWith(metric + " ") || l.startsWith(metric + "{"))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(metric + " not in the scrape:\n" + scrape));
    }
}
