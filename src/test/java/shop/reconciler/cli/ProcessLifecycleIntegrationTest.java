package shop.reconciler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.TestDatabase;

/**
 * The job as separate operating-system processes, the way nodes and operators meet it: a real
 * SIGKILL, a real SIGTERM, a stop from another process, and the lease between them. A database
 * trigger that sleeps on each notification insert makes a run last long enough to be caught.
 *
 * <p>Most of the time here is spent waiting for a dead node's lease to lapse (at-most-for, at least
 * 30 s) or for a slowed run to go on, so the tests run side by side: each has its own database and
 * its own SMTP server.
 */
@Execution(ExecutionMode.CONCURRENT)
class ProcessLifecycleIntegrationTest {

    /** How long a node may take to start and make its first progress (a limit, not a wait). */
    private static final Duration STARTED_WITHIN = ReconcilerProcess.STARTED_WITHIN;

    private final GreenMail smtp = MailServer.start();

    private TestDatabase.DatabaseRef database;
    private ShopFixture shop;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void freshShop() throws Exception {
        database = TestDatabase.server().createDatabase("proc");
        shop = new ShopFixture(database.dataSource()).createSchema();
        assertThat(cli("status").exit()).isZero(); // creates the reconciler's schema
    }

    @AfterEach
    void killLeftoversAndStopMail() {
        processes.forEach(Process::destroyForcibly);
        smtp.stop();
    }

    @Test
    void runKilledWithSigkillIsFinishedByRestartLastFailedInTheSameInstance() throws Exception {
        // given: a run killed with SIGKILL in the middle of its reconcile step
        seedFinishedOrders(20);
        slowNotificationInserts(0.3);
        Process node = start("run", "--reconciler.chunk-size=1", "--reconciler.lock.at-most-for=30s");
        await(STARTED_WITHIN, () -> completedOrders() >= 4);
        node.destroyForcibly().waitFor();
        shop.jdbc().execute("DROP TRIGGER slow_notifications");
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STARTED'"))
                .isEqualTo(1);
        int completedBeforeKill = completedOrders();
        assertThat(completedBeforeKill).isBetween(4, 19);

        // when: the dead process's lease has not expired yet
        CliRunner.Result early = cli("restart", "--last-failed");

        // then
        assertThat(early.exit()).isEqualTo(75);
        assertThat(early.out()).contains("held by").contains("until");

        // when: it has expired (at-most-for is 30s; the lease's row says when, so that the wait
        // asks the database instead of starting the command line every two seconds)
        await(
                Duration.ofSeconds(45),
                () -> shop.count("SELECT COUNT(*) FROM shedlock WHERE lock_until > UTC_TIMESTAMP(3)") == 0);
        CliRunner.Result restarted =
                awaitResult(Duration.ofSeconds(45), () -> cli("restart", "--last-failed"), r -> r.exit() != 75);

        // then: same instance, every order right, one email each
        assertThat(restarted.exit())
                .describedAs(restarted.out() + restarted.err())
                .isZero();
        assertThat(restarted.out()).contains("recovering");
        assertThat(completedOrders()).isEqualTo(20);
        assertThat(shop.count("SELECT COUNT(DISTINCT JOB_INSTANCE_ID) FROM BATCH_JOB_EXECUTION"))
                .isEqualTo(1);
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STARTED'"))
                .isZero();
        assertEachOrderEmailedOnce(20);
    }

    @Test
    void runAfterANodeWasKilledRecoversItsExecutionAndRestartsItInsteadOfStartingANewInstance() throws Exception {
        // given: a run killed with SIGKILL in the middle of its reconcile step
        long deadId = killARunMidReconcile();

        // when: its lease has expired and its execution has been silent for at-most-for (30s)
        CliRunner.Result run = awaitResult(
                Duration.ofSeconds(30), () -> cli("run", "--reconciler.lock.at-most-for=30s"), r -> r.exit() != 75);

        // then: the dead execution ended FAILED with the reason, and its restart finished the work
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(run.out())
                .contains("execution " + deadId + " was STARTED but its process is gone")
                .contains("restarting it");
        assertThat(shop.jdbc()
                        .queryForMap(
                                "SELECT STATUS, EXIT_CODE, EXIT_MESSAGE FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?",
                                deadId))
                .containsEntry("STATUS", "FAILED")
                .containsEntry("EXIT_CODE", "FAILED")
                .extractingByKey("EXIT_MESSAGE")
                .asString()
                .contains("its process died");
        assertThat(shop.count(
                        "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS IN ('STARTED', 'STARTING', 'STOPPING')"))
                .isZero();
        assertThat(shop.count("SELECT COUNT(DISTINCT JOB_INSTANCE_ID) FROM BATCH_JOB_EXECUTION"))
                .isEqualTo(1);
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'"))
                .isEqualTo(1);
        assertThat(completedOrders()).isEqualTo(20);
        assertEachOrderEmailedOnce(20);

        // then: status says so
        assertThat(cli("status").out().lines().filter(l -> l.startsWith(deadId + " ")))
                .singleElement()
                .asString()
                .contains("FAILED")
                .contains("its process died");
    }

    @Test
    void secondNodeCannotStartWhileARunHoldsTheLeaseEvenPastAtMostFor() throws Exception {
        // given: a run of about 40 s on node A, with a lease of at most 30 s that it keeps alive
        seedFinishedOrders(40);
        slowNotificationInserts(1.0);
        // one partition: the 40 slow chunks one after the other
        Process nodeA = start(
                "run", "--reconciler.chunk-size=1", "--reconciler.partitions=1", "--reconciler.lock.at-most-for=30s");
        await(STARTED_WITHIN, () -> completedOrders() >= 1);

        // when node B tries at once, and again after at-most-for has passed
        CliRunner.Result early = cli("run");
        Thread.sleep(32_000);
        CliRunner.Result late = cli("run");

        // then
        assertThat(early.exit()).isEqualTo(75);
        assertThat(late.exit())
                .describedAs("node A's run is still going: %s", nodeA.isAlive())
                .isEqualTo(75);
        assertThat(nodeA.isAlive()).isTrue();
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION")).isEqualTo(1);
        shop.jdbc().execute("DROP TRIGGER slow_notifications");
        assertThat(nodeA.waitFor()).isZero();
        assertThat(completedOrders()).isEqualTo(40);
        assertThat(smtp.getReceivedMessages()).hasSize(40);
    }

    @Test
    void stopFromAnotherProcessEndsTheRunStoppedAndRestartFinishesIt() throws Exception {
        // given
        seedFinishedOrders(20);
        slowNotificationInserts(0.3);
        Process node = start("run", "--reconciler.chunk-size=1");
        await(STARTED_WITHIN, () -> completedOrders() >= 2);

        // when
        long executionId = stopFromAnotherProcess(node);

        // then
        assertThat(completedOrders()).isLessThan(20);
        shop.jdbc().execute("DROP TRIGGER slow_notifications");

        // when
        CliRunner.Result restart = cli("restart", String.valueOf(executionId));

        // then
        assertThat(restart.exit()).describedAs(restart.out()).isZero();
        assertThat(completedOrders()).isEqualTo(20);
        assertThat(smtp.getReceivedMessages()).hasSize(20);
        long restartedId =
                shop.jdbc().queryForObject("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION", Long.class);
        assertThat(cli("abandon", String.valueOf(restartedId)).out())
                .contains("refused")
                .contains("COMPLETED");
    }

    @Test
    void stopDuringALongSendChunkStopsBetweenTwoMessagesAndTheRestartSendsTheRestOnce() throws Exception {
        // given: one send chunk of 20 (reconciler.mail.chunk-size 1000) over the default 4 SMTP
        // connections, each result's record slowed (2.4 s: with 4 connections a message every 0.6 s,
        // so the stop, a command of its own, lands within 12 messages on a busy machine)
        seedFinishedOrders(20);
        shop.jdbc()
                .execute("CREATE TRIGGER slow_sent BEFORE UPDATE ON order_notifications FOR EACH ROW"
                        + " BEGIN IF NEW.status = 'sent' THEN DO SLEEP(2.4); END IF; END");
        Process node = start("run");
        await(STARTED_WITHIN, () -> smtp.getReceivedMessages().length >= 3);

        // when
        long executionId = stopFromAnotherProcess(node);

        // then: stopped inside the chunk; what was not sent keeps no claim and stays queued
        int sent = smtp.getReceivedMessages().length;
        assertThat(sent).isBetween(3, 15);
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'"))
                .isEqualTo(sent);
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'queued'"))
                .isEqualTo(20 - sent);
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE claimed_by IS NOT NULL"))
                .isZero();
        shop.jdbc().execute("DROP TRIGGER slow_sent");

        // when
        CliRunner.Result restart = cli("restart", String.valueOf(executionId));

        // then: the rest, once each
        assertThat(restart.exit()).describedAs(restart.out()).isZero();
        assertThat(smtp.getReceivedMessages()).hasSize(20);
        assertThat(Arrays.stream(smtp.getReceivedMessages())
                        .map(ProcessLifecycleIntegrationTest::messageId)
                        .distinct())
                .hasSize(20);
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'"))
                .isEqualTo(20);
    }

    @Test
    void serveRunsOnItsCronAnswersHealthAndPrometheusAndStopsCleanlyOnSigterm() throws Exception {
        // given
        seedFinishedOrders(3);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process serve = start(
                "serve",
                "--reconciler.cron=*/2 * * * * *",
                "--reconciler.chunk-size=2",
                "--management.server.port=" + port);
        await(
                STARTED_WITHIN,
                () -> shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'") >= 2);

        // when
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> prometheus = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        // then
        assertThat(health.statusCode()).describedAs(health.body()).isEqualTo(200);
        // (who sees the details: ManagementSecurityIntegrationTest)
        assertThat(health.body()).contains("\"status\":\"UP\"");
        assertThat(prometheus.body())
                .contains("spring_batch_job")
                .contains("reconciler_orders_completed_total")
                .contains("reconciler_lease_held");
        assertThat(completedOrders()).isEqualTo(3);
        assertThat(smtp.getReceivedMessages()).hasSize(3);

        // when: SIGTERM while a run is going
        slowNotificationInserts(0.5);
        seedFinishedOrders(30);
        await(Duration.ofSeconds(30), () -> shop.count("SELECT COUNT(*) FROM order_notifications") > 4);
        Instant signalled = Instant.now();
        serve.destroy();
        boolean exited = serve.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);

        // then: stopped in time, with the JVM's exit code for SIGTERM (the README tells systemd)
        assertThat(exited).isTrue();
        assertThat(serve.exitValue()).isEqualTo(143);
        assertThat(Duration.between(signalled, Instant.now())).isLessThan(Duration.ofSeconds(30));
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS IN ('STARTED', 'STOPPING')"))
                .isZero();
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STOPPED'"))
                .isEqualTo(1);
        assertThat(shop.count("SELECT COUNT(*) FROM shedlock WHERE lock_until > UTC_TIMESTAMP(3)"))
                .isZero();
    }

    @Test
    void twoServingNodesRunTheJobOncePerTick() throws Exception {
        // given: two nodes on the same 3-second cron, one database
        seedFinishedOrders(10);
        List<Process> nodes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            nodes.add(start("serve", "--reconciler.cron=*/3 * * * * *", "--management.server.port=" + port));
        }

        // when both serve for a few ticks
        await(
                STARTED_WITHIN,
                () -> shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'") >= 4);
        for (Process node : nodes) {
            node.destroy();
            assertThat(node.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }

        // then: never two executions for one tick, every order once, one email each
        assertThat(shop.count("""
                SELECT COUNT(*) FROM (SELECT FLOOR(UNIX_TIMESTAMP(START_TIME) / 3) AS tick, COUNT(*) AS runs
                                        FROM BATCH_JOB_EXECUTION GROUP BY tick HAVING COUNT(*) > 1) doubled""")).isZero();
        assertThat(completedOrders()).isEqualTo(10);
        assertThat(smtp.getReceivedMessages()).hasSize(10);
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications")).isEqualTo(10);
    }

    @Test
    void serveAfterANodeWasKilledRecoversItsExecutionAndRestartsItOnItsNextTick() throws Exception {
        // given: a run killed with SIGKILL in the middle of its reconcile step
        long deadId = killARunMidReconcile();
        long instance = shop.jdbc()
                .queryForObject(
                        "SELECT JOB_INSTANCE_ID FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?",
                        Long.class,
                        deadId);

        // when: serve's next tick after the dead execution has been silent for at-most-for (30s)
        try (ReconcilerProcess serve = ReconcilerProcess.start(
                withSpringArgs("serve", "--reconciler.cron=*/2 * * * * *", "--reconciler.lock.at-most-for=30s"))) {
            await(
                    STARTED_WITHIN,
                    () -> shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'") >= 1);
            serve.process().destroy();
            serve.waitFor(30);

            // then: the first completed execution is the dead one's instance, restarted
            assertThat(shop.jdbc()
                            .queryForObject(
                                    "SELECT JOB_INSTANCE_ID FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'"
                                            + " ORDER BY JOB_EXECUTION_ID LIMIT 1",
                                    Long.class))
                    .describedAs(serve.output())
                    .isEqualTo(instance);
            assertThat(serve.output()).contains("execution " + deadId + " was STARTED but its process is gone");
        }
        assertThat(shop.jdbc()
                        .queryForObject(
                                "SELECT EXIT_MESSAGE FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?",
                                String.class,
                                deadId))
                .contains("its process died");
        assertThat(shop.count(
                        "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS IN ('STARTED', 'STARTING', 'STOPPING')"))
                .isZero();
        assertThat(completedOrders()).isEqualTo(20);
        assertThat(Arrays.stream(smtp.getReceivedMessages())
                        .map(ProcessLifecycleIntegrationTest::messageId)
                        .distinct())
                .hasSize(20);
        assertThat(smtp.getReceivedMessages()).hasSize(20);
    }

    /**
     * Kills a run of 20 slowed orders with SIGKILL once it has completed 4, and waits until its
     * lease has expired and its execution has been silent for more than at-most-for (30s); the id
     * of the execution it left STARTED.
     */
    private long killARunMidReconcile() throws InterruptedException {
        seedFinishedOrders(20);
        slowNotificationInserts(0.3);
        Process node = start("run", "--reconciler.chunk-size=1", "--reconciler.lock.at-most-for=30s");
        await(STARTED_WITHIN, () -> completedOrders() >= 4);
        node.destroyForcibly().waitFor();
        Instant killed = Instant.now();
        shop.jdbc().execute("DROP TRIGGER slow_notifications");
        long deadId = shop.jdbc().queryForObject("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION", Long.class);
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'STARTED'"))
                .isEqualTo(1);
        Thread.sleep(Math.max(
                0, Duration.between(Instant.now(), killed.plusSeconds(32)).toMillis()));
        return deadId;
    }

    private List<String> withSpringArgs(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(springArgs());
        return all;
    }

    /**
     * Sends {@code stop} for the latest execution from a process of its own; asserts that it was
     * accepted, that the node exited 1 and that the execution ended {@code STOPPED}; returns its id.
     */
    private long stopFromAnotherProcess(Process node) throws InterruptedException {
        long executionId =
                shop.jdbc().queryForObject("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION", Long.class);
        CliRunner.Result stop = cli("stop", String.valueOf(executionId));
        assertThat(stop.exit()).describedAs(stop.out() + stop.err()).isZero();
        assertThat(node.waitFor()).isEqualTo(1);
        assertThat(shop.jdbc()
                        .queryForObject(
                                "SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?",
                                String.class,
                                executionId))
                .isEqualTo("STOPPED");
        return executionId;
    }

    /**
     * Seeds in one transaction, so a serving node's tick sees all of them or none: a tick that
     * caught a few would finish them quickly and a SIGTERM meant for a running run would land
     * between runs.
     */
    private void seedFinishedOrders(int count) {
        int start = shop.count("SELECT COUNT(*) FROM orders");
        new TransactionTemplate(new DataSourceTransactionManager(shop.jdbc().getDataSource()))
                .executeWithoutResult(transaction -> {
                    for (int i = start + 1; i <= start + count; i++) {
                        shop.processingOrder(String.format("P-%04d", i), "p" + i + "@example.com", "completed");
                    }
                });
    }

    private void slowNotificationInserts(double seconds) {
        shop.jdbc()
                .execute("CREATE TRIGGER slow_notifications BEFORE INSERT ON order_notifications FOR EACH ROW"
                        + " BEGIN DO SLEEP(" + seconds + "); END");
    }

    private int completedOrders() {
        return shop.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'");
    }

    private Process start(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(springArgs());
        Process process = ReconcilerProcess.start(all).process();
        processes.add(process);
        return process;
    }

    private List<String> springArgs() {
        List<String> args = new ArrayList<>();
        database.springProperties().forEach((key, value) -> args.add("--" + key + "=" + value));
        args.add("--spring.mail.host=127.0.0.1");
        args.add("--spring.mail.port=" + smtp.getSmtp().getPort());
        args.add("--reconciler.mail.retry-backoff=10ms");
        return args;
    }

    private CliRunner.Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(springArgs());
        return CliRunner.run(all.toArray(String[]::new));
    }

    private static void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("condition not met within " + limit);
            }
            Thread.sleep(200);
        }
    }

    private static CliRunner.Result awaitResult(
            Duration limit,
            java.util.function.Supplier<CliRunner.Result> call,
            java.util.function.Predicate<CliRunner.Result> done)
            throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        CliRunner.Result result = call.get();
        while (!done.test(result) && Instant.now().isBefore(end)) {
            Thread.sleep(2_000);
            result = call.get();
        }
        return result;
    }

    /** Every one of the {@code orders} notifications recorded sent, and received once, each with its own Message-ID. */
    private void assertEachOrderEmailedOnce(int orders) {
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'"))
                .isEqualTo(orders);
        MimeMessage[] mails = smtp.getReceivedMessages();
        assertThat(mails).hasSize(orders);
        assertThat(Arrays.stream(mails)
                        .map(ProcessLifecycleIntegrationTest::messageId)
                        .distinct())
                .hasSize(orders);
    }

    private static String messageId(MimeMessage message) {
        try {
            return message.getMessageID();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
