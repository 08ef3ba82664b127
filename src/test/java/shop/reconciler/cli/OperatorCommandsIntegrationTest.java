package shop.reconciler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import shop.reconciler.support.CommandLineShop;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ShopFixture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The commands that answer an operator's questions without SQL ({@code explain},
 * {@code notifications}, {@code requeue}, {@code plan}, and the stuck orders of {@code status}),
 * run as the jar runs them, against a real MySQL-protocol server and GreenMail.
 */
class OperatorCommandsIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CommandLineShop commandLine;
    private ShopFixture shop;

    @BeforeEach
    void freshShop() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
        commandLine = new CommandLineShop("ops", SMTP).withReconcilerSchema();
        shop = commandLine.shop;
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void explainOfAnUnknownOrderExitsOneWithOneLine() {
        // when
        CliRunner.Result result = cli("explain", "NO-SUCH-ORDER");

        // then
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err().lines().filter(l -> l.startsWith("order-reconciler:")))
                .singleElement()
                .asString()
                .contains("'NO-SUCH-ORDER'");
    }

    @Test
    void explainOfAnOpenOrderNamesTheTasksThatHoldItAndTheStuckOne() {
        // given: one task done, one in progress, one pending and unchanged for two days
        long orderId = shop.processingOrder("EX-1", "ex1@example.com", "completed", "processing");
        long pending = shop.task(orderId, "Course 3 of EX-1", "pending");
        shop.jdbc().update("UPDATE download_tasks SET updated_at = NOW(3) - INTERVAL 2 DAY WHERE id = ?", pending);

        // when
        CliRunner.Result text = cli("explain", "EX-1");
        CliRunner.Result json = cli("explain", "EX-1", "--json");

        // then
        assertThat(text.exit()).describedAs(text.describe()).isZero();
        assertThat(text.out())
                .contains("order EX-1")
                .contains("stuck: waiting on 1 task(s) unchanged for longer than 1d")
                .contains("notification: none");
        assertThat(text.out().lines().filter(l -> l.contains("STUCK")))
                .singleElement()
                .asString()
                .contains("pending")
                .contains("changed 2d 0h ago");
        JsonNode explanation = JSON.readTree(json.out());
        assertThat(explanation.get("verdict").asText()).isEqualTo("STUCK");
        assertThat(explanation.get("tasks"))
                .extracting(t -> t.get("status").asText() + "/" + t.get("state").asText() + "/"
                        + t.get("stuck").asBoolean())
                // the tasks that hold the order open first
                .containsExactly("processing/OPEN/false", "pending/OPEN/true", "completed/TERMINAL/false");
        assertThat(explanation.get("taskCount").asLong()).isEqualTo(3);
        assertThat(explanation.get("notListed").asLong()).isZero();
        assertThat(shop.orderStatus("EX-1")).isEqualTo("processing");
    }

    @Test
    void explainOfAnOrderWithManyTasksListsTheOpenOnesFirstAndCountsTheRest() {
        // given: 150 failed tasks with long errors and long titles, and one pending among them
        long orderId = shop.order("EX-MANY", "many@example.com", "processing");
        String digits = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4"
                + " UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
        shop.jdbc()
                .update(
                        "INSERT INTO download_tasks (order_id, course_title, course_url, status, error_message)"
                                + " SELECT ?, CONCAT(REPEAT('T', 400), n), 'https://courses.example.com/many',"
                                + " CASE WHEN n = 120 THEN 'pending' ELSE 'failed' END, REPEAT('e', 60000)"
                                + " FROM (SELECT a.d + 10 * b.d + 100 * c.d AS n FROM " + digits + " a CROSS JOIN "
                                + digits + " b CROSS JOIN " + digits + " c) seq WHERE n BETWEEN 1 AND 151",
                        orderId);

        // when
        CliRunner.Result text = cli("explain", "EX-MANY");
        JsonNode json = JSON.readTree(cli("explain", "EX-MANY", "--json").out());

        // then: the pending task first, 100 listed, the other 51 counted, titles cut, no error text
        assertThat(text.exit()).describedAs(text.describe()).isZero();
        assertThat(text.out())
                .contains("open: waiting on 1 of 151 task(s)")
                .contains("... and 51 more task(s) of 151 not listed")
                .doesNotContain("eeeeeeeeee");
        assertThat(json.get("tasks")).hasSize(100);
        assertThat(json.get("tasks").get(0).get("status").asText()).isEqualTo("pending");
        assertThat(json.get("tasks").get(0).get("title").asText()).hasSize(200);
        assertThat(json.get("taskCount").asLong()).isEqualTo(151);
        assertThat(json.get("notListed").asLong()).isEqualTo(51);
    }

    @Test
    void explainNamesAnOrderWithoutTasksAndAStatusTheShopDoesNotDefine() {
        // given
        shop.order("EX-EMPTY", "empty@example.com", "processing");
        shop.jdbc().execute("ALTER TABLE download_tasks MODIFY status VARCHAR(32) NOT NULL DEFAULT 'pending'");
        shop.processingOrder("EX-ODD", "odd@example.com", "completed", "on_hold");

        // when
        JsonNode empty = JSON.readTree(cli("explain", "EX-EMPTY", "--json").out());
        CliRunner.Result odd = cli("explain", "EX-ODD");

        // then
        assertThat(empty.get("verdict").asText()).isEqualTo("NO_TASKS");
        assertThat(empty.get("reason").asText()).contains("without any download task");
        assertThat(odd.exit()).isZero();
        assertThat(odd.out()).contains("status the shop does not define").contains("on_hold");
        assertThat(odd.out().lines().filter(l -> l.contains("on_hold")))
                .singleElement()
                .asString()
                .contains("undefined");
    }

    @Test
    void explainOfACompletedOrderNamesTheExecutionThatCompletedItAndItsEmail() {
        // given
        shop.processingOrder("EX-2", "ex2@example.com", "completed", "failed");
        assertThat(cli("run").exit()).isZero();
        long executionId =
                shop.jdbc().queryForObject("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION", Long.class);

        // when
        CliRunner.Result text = cli("explain", "EX-2");
        JsonNode json = JSON.readTree(cli("explain", "EX-2", "--json").out());

        // then
        assertThat(text.exit()).isZero();
        assertThat(text.out())
                .contains("completed by execution " + executionId + " (COMPLETED)")
                .contains("notification: sent, 1 attempt(s), to ex2@example.com, Message-ID <order-EX-2@");
        assertThat(json.get("verdict").asText()).isEqualTo("COMPLETED");
        assertThat(json.get("completedBy").get("executionId").asLong()).isEqualTo(executionId);
        assertThat(json.get("notification").get("status").asText()).isEqualTo("sent");
        assertThat(json.get("notification").get("sentAt").isNull()).isFalse();
    }

    @Test
    void explainOfAFinishedOrderSaysTheNextRunCompletesItAndWhetherItSendsAnEmail() {
        // given
        shop.processingOrder("EX-DONE", "done@example.com", "completed", "failed");
        long old = shop.processingOrder("EX-OLDDONE", "olddone@example.com", "completed");
        shop.ageTasks(old, 30);

        // when
        JsonNode done = JSON.readTree(cli("explain", "EX-DONE", "--json").out());
        JsonNode oldDone = JSON.readTree(cli("explain", "EX-OLDDONE", "--json").out());

        // then
        assertThat(done.get("verdict").asText()).isEqualTo("FINISHED");
        assertThat(done.get("reason").asText()).endsWith("the next run completes it and queues its email");
        assertThat(oldDone.get("reason").asText()).contains("without email").contains("reconciler.mail.max-age");
        assertThat(shop.orderStatus("EX-DONE")).isEqualTo("processing");
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications")).isZero();
    }

    @Test
    void humanOutputShowsControlCharactersFromTheShopAsEscapes() {
        // given: a course title and an order code that try to clear the screen and forge a line
        long orderId = shop.order("EX-\u001b[2J", "esc@example.com", "processing");
        shop.task(orderId, "Course\r\nnotification: sent\u001b[31m \u202Eevil", "processing");
        shop.order("EX-BELL\u0007", "bell@example.com", "processing");

        // when
        List<CliRunner.Result> results = List.of(
                cli("explain", "EX-\u001b[2J"), cli("status"), cli("plan"), cli("notifications", "--limit", "5"));
        JsonNode json = JSON.readTree(cli("explain", "EX-\u001b[2J", "--json").out());

        // then
        for (CliRunner.Result result : results) {
            assertThat(result.out()).describedAs(result.describe()).doesNotContain("\u001b", "\r", "\u0007", "\u202E");
        }
        assertThat(results.get(0).out())
                .contains("EX-\\e[2J")
                .contains("Course\\r\\nnotification: sent\\e[31m <U+202E>evil");
        assertThat(results.get(1).out()).contains("EX-BELL\\x07");
        assertThat(json.get("tasks").get(0).get("title").asText()).startsWith("Course\r\n");
    }

    @Test
    void notificationsListsNewestFirstAndFiltersByStatusAndErrorText() {
        // given: one sent, then one failed for want of an address
        shop.processingOrder("NT-1", "nt1@example.com", "completed");
        assertThat(cli("run").exit()).isZero();
        shop.processingOrder("NT-2", "not-an-address", "completed");
        assertThat(cli("run").exit()).isZero();

        // when
        CliRunner.Result all = cli("notifications", "--json");
        CliRunner.Result failed = cli("notifications", "--status", "FAILED", "--since", "1h");
        CliRunner.Result queued = cli("notifications", "--status", "queued");
        CliRunner.Result byError = cli("notifications", "--error-contains", "recipient");
        CliRunner.Result noSuchError = cli("notifications", "--error-contains", "no such text");

        // then
        assertThat(JSON.readTree(all.out()))
                .extracting(
                        n -> n.get("orderCode").asText() + "/" + n.get("status").asText())
                .containsExactly("NT-2/failed", "NT-1/sent");
        assertThat(failed.exit()).isZero();
        assertThat(failed.out()).contains("NT-2").doesNotContain("NT-1").contains("last error:");
        assertThat(queued.exit()).isEqualTo(1);
        assertThat(queued.out()).contains("no notification matched");
        assertThat(byError.exit()).isZero();
        assertThat(byError.out()).contains("NT-2").doesNotContain("NT-1");
        assertThat(noSuchError.exit()).isEqualTo(1);
        assertThat(noSuchError.out()).contains("no notification matched");
    }

    @Test
    void requeuePutsAFailedNotificationBackWithTheCorrectedAddressAndTheNextRunSendsIt() {
        // given: NT-3 failed (bad address, since corrected by the shop), NT-4 sent
        shop.processingOrder("NT-3", "nobody-at-example.com", "completed");
        shop.processingOrder("NT-4", "nt4@example.com", "completed");
        assertThat(cli("run").exit()).isZero();
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
        shop.jdbc().update("UPDATE orders SET user_email = 'nt3@example.com' WHERE order_code = 'NT-3'");

        // when: a dry run first
        CliRunner.Result dry = cli("requeue", "--failed", "--dry-run");

        // then: it says what it would do and changes nothing
        assertThat(dry.exit()).describedAs(dry.describe()).isZero();
        assertThat(dry.out())
                .contains("would requeue NT-3 (failed): to nt3@example.com")
                .contains("would requeue 1");
        assertThat(shop.notification("NT-3")).containsEntry("status", "failed");

        // when
        CliRunner.Result requeue = cli("requeue", "NT-3", "NT-4", "NT-UNKNOWN");

        // then: NT-3 back in the queue as new, NT-4 untouched, the unknown code named
        assertThat(requeue.exit()).describedAs(requeue.describe()).isZero();
        assertThat(requeue.out())
                .contains("requeued NT-3 (failed): to nt3@example.com")
                .contains("left NT-4 (sent)")
                .contains("not found NT-UNKNOWN")
                .contains("requeued 1 notification(s)");
        Map<String, Object> row = shop.notification("NT-3");
        assertThat(row)
                .containsEntry("status", "queued")
                .containsEntry("attempts", 0)
                .containsEntry("recipient", "nt3@example.com");
        assertThat(row.get("last_error")).isNull();
        assertThat(shop.notification("NT-4")).containsEntry("status", "sent").containsEntry("attempts", 1);

        // when
        assertThat(cli("run").exit()).isZero();

        // then: sent once, still one row per order; nothing left to requeue
        assertThat(shop.notification("NT-3")).containsEntry("status", "sent");
        assertThat(SMTP.getReceivedMessages()).hasSize(2);
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications")).isEqualTo(2);
        CliRunner.Result again = cli("requeue", "--failed");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.out()).contains("requeued 0");
    }

    @Test
    void aNotificationFailedAfterTwoDeliveriesOfUnknownOutcomeIsRequeuedOnlyWithUncertainForExactlyOneMoreDelivery() {
        // given: UN-1's two deliveries had no definite reply, so the sender gave up on it
        shop.processingOrder("UN-1", "un1@example.com", "completed");
        assertThat(cli("run").exit()).isZero();
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
        shop.jdbc()
                .update("UPDATE order_notifications SET status = 'failed', sent_at = NULL, attempts = 1,"
                        + " uncertain_deliveries = 2, last_error = 'the outcome of two deliveries is unknown',"
                        + " claimed_by = 'gone-node', claimed_until = NOW(3), claim_execution_id = 999,"
                        + " delivery_started_at = NOW(3) WHERE order_code = 'UN-1'");

        // when
        CliRunner.Result status = cli("status");
        CliRunner.Result list = cli("notifications", "--status", "failed");
        CliRunner.Result explain = cli("explain", "UN-1");
        CliRunner.Result plain = cli("requeue", "UN-1");

        // then: every view names the uncertain deliveries; a plain requeue refuses in one line
        // that says what to check first
        assertThat(status.out()).contains("delivery of unknown outcome (the server may have the message): 1");
        assertThat(list.out()).contains("deliveries of unknown outcome: 2");
        assertThat(explain.out()).contains("1 attempt(s), 2 of unknown outcome");
        assertThat(plain.exit()).describedAs(plain.describe()).isEqualTo(1);
        assertThat(plain.out().lines().filter(l -> l.contains("UN-1")))
                .singleElement()
                .asString()
                .startsWith("refused UN-1 (failed): 2 delivery(ies) of unknown outcome")
                .contains("Message-ID <order-UN-1@", "mail server's log", "requeue --uncertain UN-1");
        assertThat(shop.notification("UN-1"))
                .containsEntry("status", "failed")
                .containsEntry("uncertain_deliveries", 2);

        // when: asked explicitly
        CliRunner.Result requeue = cli("requeue", "--uncertain", "UN-1", "--reason", "not in the relay's log");

        // then: back in the queue for exactly one more delivery: one uncertain delivery kept, its
        // last attempt (reconciler.mail.max-attempts is 10)
        assertThat(requeue.exit()).describedAs(requeue.describe()).isZero();
        assertThat(requeue.out()).contains("requeued UN-1 (failed)").contains("exactly one more delivery");
        Map<String, Object> row = shop.notification("UN-1");
        assertThat(row)
                .containsEntry("status", "queued")
                .containsEntry("attempts", 9)
                .containsEntry("uncertain_deliveries", 1);
        assertThat(row.get("claimed_by")).isNull();
        assertThat(row.get("claimed_until")).isNull();
        assertThat(row.get("claim_execution_id")).isNull();
        assertThat(row.get("delivery_started_at")).isNull();

        // when: the next run
        assertThat(cli("run").exit()).isZero();

        // then: sent once more
        assertThat(shop.notification("UN-1")).containsEntry("status", "sent").containsEntry("attempts", 10);
        assertThat(SMTP.getReceivedMessages()).hasSize(2);
    }

    @Test
    void aDryRunOverABacklogCountsEveryRowAndShowsOnlyTheFirstLimit() {
        // given: 120 failed notifications (no address), 3 of them with deliveries of unknown outcome
        for (int i = 0; i < 120; i++) {
            shop.processingOrder(String.format("DR-%03d", i), "dr" + i + "@example.com", "completed");
        }
        shop.jdbc().update("UPDATE orders SET user_email = 'not an address' WHERE order_code LIKE 'DR-%'");
        assertThat(cli("run").exit()).isZero();
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'failed'"))
                .isEqualTo(120);
        shop.jdbc().update("UPDATE orders SET user_email = CONCAT(LOWER(order_code), '@example.com')");
        shop.jdbc()
                .update("UPDATE order_notifications SET uncertain_deliveries = 2"
                        + " WHERE order_code IN ('DR-000', 'DR-050', 'DR-119')");

        // when
        CliRunner.Result text = cli("requeue", "--failed", "--dry-run");
        CliRunner.Result limited = cli("requeue", "--failed", "--dry-run", "--limit", "5");
        JsonNode json = JSON.readTree(cli("requeue", "--failed", "--dry-run", "--limit", "5", "--json")
                .out());

        // then: the counts cover every row, the lines stop at the limit, nothing changed
        assertThat(text.exit()).describedAs(text.describe()).isZero();
        assertThat(text.out().lines().filter(l -> l.startsWith("would requeue DR-")))
                .hasSize(50);
        assertThat(text.out())
                .contains("... 67 more line(s) not shown (--limit 50)")
                .contains("would requeue up to 117 notification(s)")
                .contains("left out 3 with deliveries of unknown outcome")
                .doesNotContain("DR-000 ");
        assertThat(limited.out().lines().filter(l -> l.startsWith("would requeue DR-")))
                .extracting(l -> l.substring("would requeue ".length(), "would requeue DR-000".length()))
                .containsExactlyElementsOf(shop.jdbc()
                        .queryForList(
                                "SELECT order_code FROM order_notifications WHERE status = 'failed'"
                                        + " AND uncertain_deliveries = 0 ORDER BY id LIMIT 5",
                                String.class));
        assertThat(json.get("matched").asLong()).isEqualTo(117);
        assertThat(json.get("requeued").asLong()).isEqualTo(117);
        assertThat(json.get("uncertainLeftOut").asLong()).isEqualTo(3);
        assertThat(json.get("lines")).hasSize(5);
        assertThat(json.get("linesOmitted").asLong()).isEqualTo(112);
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'failed'"))
                .isEqualTo(120);

        // when: the requeue itself, its lines bounded too
        CliRunner.Result requeue = cli("requeue", "--failed", "--limit", "10");

        // then: every certain one back in the queue, the uncertain ones left failed
        assertThat(requeue.exit()).describedAs(requeue.describe()).isZero();
        assertThat(requeue.out().lines().filter(l -> l.startsWith("requeued DR-")))
                .hasSize(10);
        assertThat(requeue.out()).contains("requeued 117 notification(s); left out 3");
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'queued'"))
                .isEqualTo(117);
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'failed'"
                        + " AND uncertain_deliveries = 2"))
                .isEqualTo(3);
    }

    @Test
    void requeueLeavesSkippedOnesAndUncorrectedAddressesUnlessAskedAndFiltersByError() {
        // given: EX-OLD skipped (backlog), EX-BAD failed with an address still wrong
        long old = shop.processingOrder("EX-OLD", "old@example.com", "completed");
        shop.ageTasks(old, 30);
        shop.processingOrder("EX-BAD", "still wrong", "completed");
        assertThat(cli("run").exit()).isZero();
        assertThat(shop.notification("EX-OLD")).containsEntry("status", "skipped");

        // when
        CliRunner.Result plain = cli("requeue", "EX-OLD", "EX-BAD");
        CliRunner.Result byError = cli("requeue", "--failed", "--error-contains", "no such text");

        // then
        assertThat(plain.exit()).isEqualTo(1);
        assertThat(plain.out())
                .contains("left EX-OLD (skipped): skipped on purpose")
                .contains("no address EX-BAD");
        assertThat(byError.exit()).isEqualTo(1);
        assertThat(shop.notification("EX-BAD")).containsEntry("status", "failed");

        // when asked explicitly
        CliRunner.Result skipped = cli("requeue", "--skipped", "EX-OLD");

        // then
        assertThat(skipped.exit()).describedAs(skipped.describe()).isZero();
        assertThat(shop.notification("EX-OLD"))
                .containsEntry("status", "queued")
                .containsEntry("attempts", 0);
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    @Test
    void planSaysWhatARunWouldDoAndWritesNothing() {
        // given
        shop.processingOrder("PL-QUEUE", "q@example.com", "completed");
        long old = shop.processingOrder("PL-SKIP", "s@example.com", "failed");
        shop.ageTasks(old, 30);
        shop.processingOrder("PL-FAIL", "", "completed");
        shop.processingOrder("PL-OPEN", "o@example.com", "completed", "processing");
        long stuck = shop.processingOrder("PL-STUCK", "st@example.com", "enrolled");
        shop.ageTasks(stuck, 3);
        shop.order("PL-EMPTY", "e@example.com", "processing");

        // when
        CliRunner.Result json = cli("plan", "--json", "--limit", "1");
        CliRunner.Result text = cli("plan");

        // then
        assertThat(json.exit()).describedAs(json.describe()).isZero();
        JsonNode plan = JSON.readTree(json.out()).get("reconcile");
        assertThat(plan.get("processing").asLong()).isEqualTo(6);
        assertThat(plan.get("complete").get("count").asLong()).isEqualTo(3);
        assertThat(plan.get("complete").get("first")).hasSize(1);
        assertThat(plan.get("queue").get("first").get(0).asText()).isEqualTo("PL-QUEUE");
        assertThat(plan.get("skip").get("first").get(0).asText()).isEqualTo("PL-SKIP");
        assertThat(plan.get("fail").get("first").get(0).asText()).isEqualTo("PL-FAIL");
        assertThat(plan.get("stillOpen").get("count").asLong()).isEqualTo(2);
        assertThat(plan.get("anomalies").get("first").get(0).asText()).isEqualTo("PL-EMPTY");
        assertThat(plan.get("stuck").get("count").asLong()).isEqualTo(1);
        assertThat(plan.get("stuck").get("first").get(0).asText()).isEqualTo("PL-STUCK");
        assertThat(text.exit()).isZero();
        assertThat(text.out())
                .contains("complete: 3 (PL-QUEUE, PL-SKIP, PL-FAIL)")
                .contains("stuck");
        assertThat(shop.count("SELECT COUNT(*) FROM orders WHERE order_status = 'processing'"))
                .isEqualTo(6);
        assertThat(shop.count("SELECT COUNT(*) FROM order_notifications")).isZero();
        assertThat(shop.count("SELECT COUNT(*) FROM BATCH_JOB_INSTANCE")).isZero();
    }

    @Test
    void statusCountsAndListsStuckOrders() {
        // given: one order waiting on a task unchanged for two hours, stuck after one
        long stuck = shop.processingOrder("ST-1", "st1@example.com", "completed", "processing");
        shop.jdbc().update("UPDATE download_tasks SET updated_at = NOW(3) - INTERVAL 2 HOUR WHERE order_id = ?", stuck);
        shop.processingOrder("ST-2", "st2@example.com", "processing");

        // when
        CliRunner.Result text = cli("status", "--reconciler.stuck-task-after=1h");
        JsonNode json = JSON.readTree(
                cli("status", "--json", "--reconciler.stuck-task-after=1h").out());

        // then
        assertThat(text.out())
                .contains("stuck (processing orders waiting on a task unchanged for more than 1h): 1 e.g. ST-1");
        assertThat(json.get("stuck").asLong()).isEqualTo(1);
        assertThat(json.get("stuckOrderCodes")).extracting(JsonNode::asText).containsExactly("ST-1");
    }

    @Test
    void statusShowsAnomaliesAndStuckOrdersAsTheLastRunCountedThemAndCountsThemNowWithLive() {
        // given: a run that saw one order without tasks and one waiting on a task unchanged for two
        // hours, stuck after one
        shop.processingOrder("AS-EMPTY", "e1@example.com");
        long stuck = shop.processingOrder("AS-STUCK", "st@example.com", "processing");
        shop.jdbc().update("UPDATE download_tasks SET updated_at = NOW(3) - INTERVAL 2 HOUR WHERE order_id = ?", stuck);
        assertThat(cli("run", "--reconciler.stuck-task-after=1h").exit()).isZero();
        long execution = shop.count("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION");
        // and since then: a second order without tasks, and the stuck task moved on
        shop.processingOrder("AS-EMPTY-2", "e2@example.com");
        shop.jdbc().update("UPDATE download_tasks SET updated_at = NOW(3) WHERE order_id = ?", stuck);

        // when
        CliRunner.Result asCounted = cli("status", "--reconciler.stuck-task-after=1h");
        JsonNode asCountedJson = JSON.readTree(
                cli("status", "--json", "--reconciler.stuck-task-after=1h").out());
        CliRunner.Result live = cli("status", "--live", "--reconciler.stuck-task-after=1h");
        JsonNode liveJson = JSON.readTree(cli("status", "--json", "--live", "--reconciler.stuck-task-after=1h")
                .out());
        CliRunner.Result otherStuckAfter = cli("status");

        // then: the run's counts, saying which execution counted them and when
        assertThat(asCounted.exit()).isZero();
        assertThat(asCounted.out())
                .contains("as counted by execution " + execution + "'s reconcile step, ended ")
                .contains("(status --live counts now):")
                .contains("anomalies (processing orders without tasks): 1 e.g. AS-EMPTY\n")
                .contains("stuck (processing orders waiting on a task unchanged for more than 1h): 1 e.g. AS-STUCK");
        assertThat(asCountedJson.get("counted").get("execution").asLong()).isEqualTo(execution);
        assertThat(asCountedJson.get("anomalies").asLong()).isEqualTo(1);
        assertThat(asCountedJson.get("stuck").asLong()).isEqualTo(1);
        // --live: counted now
        assertThat(live.exit()).isZero();
        assertThat(live.out())
                .contains("counted now (")
                .doesNotContain("as counted by execution")
                .contains("anomalies (processing orders without tasks): 2 e.g. AS-EMPTY, AS-EMPTY-2")
                .contains("stuck (processing orders waiting on a task unchanged for more than 1h): 0");
        assertThat(liveJson.get("counted").path("execution").isNumber()).isFalse();
        assertThat(liveJson.get("anomalies").asLong()).isEqualTo(2);
        assertThat(liveJson.get("stuck").asLong()).isZero();
        // another stuck-task-after than the run counted by: counted now, by this one
        assertThat(otherStuckAfter.out())
                .contains("counted now (")
                .contains("anomalies (processing orders without tasks): 2 e.g. AS-EMPTY, AS-EMPTY-2")
                .contains("stuck (processing orders waiting on a task unchanged for more than 1d): 0");
    }

    @Test
    void statusSaysWhenAnExecutionShowsAsRunningWithoutAnyProcessHoldingTheLease() {
        // given: an execution left STARTED, as a killed process leaves it, and the lease free
        shop.processingOrder("ST-3", "st3@example.com", "completed");
        assertThat(cli("run").exit()).isZero();
        shop.jdbc().update("UPDATE BATCH_JOB_EXECUTION SET STATUS = 'STARTED', END_TIME = NULL");
        long id = shop.jdbc().queryForObject("SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION", Long.class);

        // when
        CliRunner.Result text = cli("status");
        JsonNode json = JSON.readTree(cli("status", "--json").out());

        // then
        assertThat(text.out())
                .contains("execution " + id + " shows as running but no process holds the lease")
                .contains("restart " + id);
        assertThat(json.get("orphaned")).extracting(JsonNode::asLong).containsExactly(id);
    }

    private CliRunner.Result cli(String... args) {
        return commandLine.cli(args);
    }
}
