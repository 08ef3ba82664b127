package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.db.JsonExecutionContextSerializer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.TestDatabase;

/**
 * One shop under test: a fresh database on the real MySQL-protocol server, the shop's tables, and
 * the settings with which the reconciler is pointed at it (database URL, SMTP port, any
 * {@code --key=value}). Runs the real command line in this JVM ({@link #cli}) or as a process of
 * its own ({@link #startProcess}).
 */
final class ShopUnderTest {

    final TestDatabase.DatabaseRef database;
    final ShopFixture shop;
    private final Map<String, String> settings = new LinkedHashMap<>();

    ShopUnderTest(String databasePrefix) {
        this.database = TestDatabase.server().createDatabase(databasePrefix);
        this.shop = new ShopFixture(database.dataSource()).createSchema();
        database.springProperties().forEach((key, value) -> settings.put(key, String.valueOf(value)));
        settings.put("spring.mail.host", "127.0.0.1");
        settings.put("reconciler.mail.retry-backoff", "10ms");
        // the Message-IDs the tests name (stableMessageId); the default (from's domain) is tested on its own
        settings.put("reconciler.mail.message-id-domain", "order-reconciler.local");
    }

    /** Sets {@code --key=value} for every later command (a later call for the same key wins). */
    ShopUnderTest with(String key, Object value) {
        settings.put(key, String.valueOf(value));
        return this;
    }

    ShopUnderTest smtpPort(int port) {
        return with("spring.mail.port", port);
    }

    /**
     * The command line: the words (command, its options, and {@code --key=value} settings for this
     * invocation only, which win over {@link #with}) followed by the settings.
     */
    List<String> args(String... words) {
        Map<String, String> merged = new LinkedHashMap<>(settings);
        List<String> command = new ArrayList<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            if (word.startsWith("--") && eq > 0 && word.substring(2, eq).contains(".")) {
                merged.put(word.substring(2, eq), word.substring(eq + 1));
            } else {
                command.add(word);
            }
        }
        merged.forEach((key, value) -> command.add("--" + key + "=" + value));
        return command;
    }

    /** Runs the command line in this JVM. */
    CliRunner.Result cli(String... words) {
        return CliRunner.run(args(words).toArray(String[]::new));
    }

    /** Runs the command line as a process of its own. */
    ReconcilerProcess startProcess(String... words) {
        return ReconcilerProcess.start(args(words));
    }

    // ------------------------------------------------------------------------------------------
    // The database, as the shop and the operator see it
    // ------------------------------------------------------------------------------------------

    int completedOrders() {
        return shop.count("SELECT COUNT(*) FROM orders WHERE order_status = 'completed'");
    }

    /** Notification status, attempts, last_error by order code. */
    Map<String, Map<String, Object>> notifications() {
        Map<String, Map<String, Object>> byCode = new TreeMap<>();
        shop.jdbc()
                .queryForList("SELECT * FROM order_notifications ORDER BY id")
                .forEach(row -> byCode.put((String) row.get("order_code"), row));
        return byCode;
    }

    /** Every order's code and status, for assertion messages. */
    String ordersDump() {
        return shop.jdbc()
                .queryForList("SELECT order_code, order_status FROM orders ORDER BY id")
                .toString();
    }

    String notificationsDump() {
        return shop.jdbc()
                .queryForList(
                        "SELECT order_code, status, attempts, last_error, claimed_by, claimed_until FROM order_notifications ORDER BY id")
                .toString();
    }

    String executionsDump() {
        return shop.jdbc()
                .queryForList(
                        "SELECT e.JOB_EXECUTION_ID, e.JOB_INSTANCE_ID, e.STATUS, e.EXIT_CODE, s.STEP_NAME, s.STATUS AS STEP_STATUS,"
                                + " s.READ_COUNT, s.WRITE_COUNT, s.COMMIT_COUNT, s.ROLLBACK_COUNT"
                                + " FROM BATCH_JOB_EXECUTION e LEFT JOIN BATCH_STEP_EXECUTION s ON s.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID"
                                + " ORDER BY e.JOB_EXECUTION_ID, s.STEP_EXECUTION_ID")
                .toString();
    }

    /** The execution context of the named step of the latest execution, as the job repository holds it. */
    Map<String, Object> latestStepContext(String stepName) {
        String text = shop.jdbc()
                .queryForObject(
                        "SELECT COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT) FROM BATCH_STEP_EXECUTION_CONTEXT c"
                                + " JOIN BATCH_STEP_EXECUTION s ON s.STEP_EXECUTION_ID = c.STEP_EXECUTION_ID"
                                + " WHERE s.STEP_NAME = ? ORDER BY s.STEP_EXECUTION_ID DESC LIMIT 1",
                        String.class,
                        stepName);
        try {
            return new JsonExecutionContextSerializer()
                    .deserialize(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the lease of a dead holder has expired on the database's clock (at-most-for
     * after its last extension), so that the next command can take it.
     */
    void awaitLeaseExpired(Duration limit) throws InterruptedException {
        await(
                limit,
                "the lease expired",
                () -> shop.count("SELECT COUNT(*) FROM shedlock WHERE lock_until > UTC_TIMESTAMP(3)") == 0);
    }

    /**
     * {@code restart --last-failed}, tried again while the lease is still held elsewhere (exit 75)
     * for up to {@code limit}; fails the test unless the restart completed. Its result.
     */
    CliRunner.Result restartLastFailed(Duration limit) throws InterruptedException {
        CliRunner.Result restart = retry(limit, () -> cli("restart", "--last-failed"), r -> r.exit() != 75);
        assertThat(restart.exit())
                .describedAs(restart.describe() + executionsDump())
                .isZero();
        return restart;
    }

    /** Exactly {@code count} notifications, every one sent. */
    void assertEveryNotificationSent(int count) {
        assertThat(notifications().values())
                .describedAs(notificationsDump())
                .hasSize(count)
                .allSatisfy(n -> assertThat(n).containsEntry("status", "sent"));
    }

    // ------------------------------------------------------------------------------------------
    // What the SMTP server received
    // ------------------------------------------------------------------------------------------

    /** Message-ID of every message GreenMail received, with how many times it was received. */
    static Map<String, Long> deliveriesByMessageId(GreenMail greenMail) {
        return Arrays.stream(greenMail.getReceivedMessages())
                .collect(Collectors.groupingBy(ShopUnderTest::messageId, TreeMap::new, Collectors.counting()));
    }

    /** Subject of every message GreenMail received, with how many times it was received. */
    static Map<String, Long> deliveriesBySubject(GreenMail greenMail) {
        return Arrays.stream(greenMail.getReceivedMessages())
                .collect(Collectors.groupingBy(ShopUnderTest::subject, TreeMap::new, Collectors.counting()));
    }

    static String stableMessageId(String orderCode) {
        return "<order-" + orderCode + "@order-reconciler.local>";
    }

    static String subjectOf(String orderCode) {
        return "Your order " + orderCode + " is complete";
    }

    static String messageId(MimeMessage message) {
        try {
            return message.getMessageID();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Asserts that the message with this order's subject was received {@code times} times, all with its stable Message-ID. */
    static void assertDelivered(GreenMail greenMail, String orderCode, int times) {
        List<MimeMessage> copies = Arrays.stream(greenMail.getReceivedMessages())
                .filter(m -> subjectOf(orderCode).equals(subject(m)))
                .toList();
        assertThat(copies)
                .describedAs("copies of %s's email received", orderCode)
                .hasSize(times);
        assertThat(copies).extracting(ShopUnderTest::messageId).allMatch(stableMessageId(orderCode)::equals);
    }

    // ------------------------------------------------------------------------------------------
    // Waiting
    // ------------------------------------------------------------------------------------------

    static void await(Duration limit, String what, BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Calls {@code call} every 2 s until {@code done} says so or {@code limit} has passed; the last result. */
    static <T> T retry(Duration limit, Supplier<T> call, Predicate<T> done) throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        T result = call.get();
        while (!done.test(result) && Instant.now().isBefore(end)) {
            Thread.sleep(2_000);
            result = call.get();
        }
        return result;
    }
}
