package shop.reconciler.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.annotation.Autowired;
import shop.reconciler.operations.ExplainService;
import shop.reconciler.operations.ExplainService.Verdict;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.support.JobIntegrationTestSupport;

/**
 * {@code plan}, {@code explain} and {@code run} decide by the same rules ({@link OrderRules}): on a
 * shop generated to cover every rule, what {@code plan} counts and what {@code explain} says of
 * each order is what the run then does, read back from the rows it left and the emails received.
 *
 * <p>The shop: every mix of up to two task statuses out of the shop's five, two spellings that
 * only a careless comparison takes for {@code completed}, a status nobody defined and an empty
 * one (the status columns are VARCHARs here, as a shop may have them); no task at all; finished
 * orders crossed with newest task older or younger than max-age and a usable, missing or unusable
 * address; finished orders that already have a notification; and orders that are not
 * {@code processing}, exactly or by a careless comparison ({@code 'Processing'},
 * {@code 'processing '}).
 */
class RulesAgreementIntegrationTest extends JobIntegrationTestSupport {

    private static final List<String> TASK_STATUSES =
            List.of("pending", "processing", "enrolled", "completed", "failed", "COMPLETED ", "Completed", "weird", "");

    private static final List<String> RECIPIENTS = List.of("buyer@example.com", "", "not-an-address");

    @Autowired
    private RunPreview preview;

    @Autowired
    private ExplainService explain;

    @Test
    void planAndExplainAgreeWithWhatTheRunDoesOnEveryRule() {
        SHOP.jdbc().execute("ALTER TABLE download_tasks MODIFY status VARCHAR(32) NOT NULL");
        SHOP.jdbc().execute("ALTER TABLE orders MODIFY order_status VARCHAR(32) NOT NULL");
        try {
            agreeOnGeneratedShop();
        } finally {
            SHOP.clear();
            SHOP.jdbc()
                    .execute(
                            "ALTER TABLE download_tasks MODIFY status"
                                    + " ENUM('pending','processing','enrolled','completed','failed') NOT NULL DEFAULT 'pending'");
            SHOP.jdbc()
                    .execute("ALTER TABLE orders MODIFY order_status"
                            + " ENUM('pending','processing','completed','failed') NOT NULL DEFAULT 'pending'");
        }
    }

    private void agreeOnGeneratedShop() {
        // given: the generated shop
        Map<String, String> statusBefore = new HashMap<>();
        int n = 0;
        List<List<String>> mixes = new ArrayList<>();
        mixes.add(List.of());
        for (int i = 0; i < TASK_STATUSES.size(); i++) {
            mixes.add(List.of(TASK_STATUSES.get(i)));
            for (int j = i; j < TASK_STATUSES.size(); j++) {
                mixes.add(List.of(TASK_STATUSES.get(i), TASK_STATUSES.get(j)));
            }
        }
        for (List<String> mix : mixes) {
            boolean finished =
                    !mix.isEmpty() && mix.stream().allMatch(s -> s.equals("completed") || s.equals("failed"));
            int variants = finished ? 2 * RECIPIENTS.size() : 2;
            for (int v = 0; v < variants; v++) {
                String code = "R-" + (++n);
                String email = finished ? RECIPIENTS.get(v % RECIPIENTS.size()) : RECIPIENTS.get(0);
                long id = SHOP.order(code, email.isEmpty() ? null : email, "processing");
                mix.forEach(status -> SHOP.task(id, "Course of " + code, status));
                // older than max-age (7 days), and stuck past stuck-task-after (24h) if open
                if (v % 2 == 1) {
                    SHOP.ageTasks(id, 8);
                }
                statusBefore.put(code, "processing");
            }
        }
        for (String orderStatus : List.of("pending", "completed", "failed", "Processing", "processing ")) {
            String code = "R-" + (++n);
            long id = SHOP.order(code, "buyer@example.com", orderStatus);
            SHOP.task(id, "Course of " + code, "completed");
            statusBefore.put(code, orderStatus);
        }
        for (int k = 0; k < 2; k++) {
            // completed once, reopened by someone: it keeps the notification it has
            String code = "R-" + (++n);
            long id = SHOP.processingOrder(code, "buyer@example.com", "completed", "failed");
            SHOP.jdbc()
                    .update(
                            "INSERT INTO order_notifications (order_id, order_code, recipient, status, attempts)"
                                    + " VALUES (?, ?, 'buyer@example.com', 'sent', 1)",
                            id,
                            code);
            statusBefore.put(code, "processing");
        }
        Set<String> notifiedBefore =
                new TreeSet<>(SHOP.jdbc().queryForList("SELECT order_code FROM order_notifications", String.class));

        // when: plan, explain each order, then run
        RunPreview.Plan plan = preview.plan(10_000);
        // the live counts status --live and the gauges show, by the rules' SQL, agree with plan's tallies
        long liveStuck = preview.stuckCount();
        RunPreview.Group liveAnomalies = preview.anomalies(10_000);
        long liveFinished = preview.finishedCount();
        Map<String, ExplainService.Explanation> explained = new HashMap<>();
        for (String code : statusBefore.keySet()) {
            explained.put(code, explain.explain(code).orElseThrow());
        }
        JobExecution execution = runJob();

        // then: the run did what plan and explain said
        assertThat(execution.getExitStatus().getExitCode()).isIn("COMPLETED", "COMPLETED_WITH_PROBLEMS");
        Map<String, String> statusAfter = new HashMap<>();
        SHOP.jdbc().query("SELECT order_code, order_status FROM orders", rs -> {
            statusAfter.put(rs.getString(1), rs.getString(2));
        });
        Map<String, String> newNotifications = new HashMap<>();
        SHOP.jdbc()
                .query(
                        "SELECT order_code, status FROM order_notifications WHERE job_execution_id = ?",
                        rs -> {
                            newNotifications.put(rs.getString(1), rs.getString(2));
                        },
                        execution.getId());
        Set<String> completedByRun =
                codes(statusBefore, c -> !statusBefore.get(c).equals(statusAfter.get(c)));
        assertThat(completedByRun)
                .allSatisfy(c -> assertThat(statusAfter.get(c)).isEqualTo("completed"))
                .isNotEmpty();

        assertThat(set(plan.complete())).describedAs("plan's complete").isEqualTo(completedByRun);
        assertThat(verdicts(explained, Verdict.FINISHED))
                .describedAs("explain FINISHED")
                .isEqualTo(completedByRun);

        assertThat(set(plan.queue())).describedAs("plan's queue").isEqualTo(withStatus(newNotifications, "sent"));
        assertThat(SMTP.getReceivedMessages()).hasSize(plan.queue().first().size());
        assertThat(set(plan.skip())).describedAs("plan's skip").isEqualTo(withStatus(newNotifications, "skipped"));
        assertThat(set(plan.fail())).describedAs("plan's fail").isEqualTo(withStatus(newNotifications, "failed"));
        assertThat(newNotifications.keySet()).isSubsetOf(completedByRun);
        assertThat(set(plan.alreadyNotified()))
                .describedAs("plan's already notified")
                .isEqualTo(codes(completedByRun, notifiedBefore::contains))
                .isNotEmpty();
        assertThat(SHOP.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent' AND attempts = 1"
                        + " AND job_execution_id IS NULL"))
                .describedAs("the notifications that were there before, kept as they were")
                .isEqualTo(notifiedBefore.size());

        Set<String> candidates = codes(statusBefore, c -> statusBefore.get(c).equals("processing"));
        assertThat(plan.processing()).isEqualTo(candidates.size());
        assertThat(codes(
                        explained.keySet(),
                        c -> explained.get(c).verdict() != Verdict.NOT_PROCESSING
                                && explained.get(c).verdict() != Verdict.COMPLETED))
                .describedAs("explain's candidates")
                .isEqualTo(candidates);
        Set<String> untouched = codes(statusBefore, c -> !completedByRun.contains(c));
        assertThat(untouched)
                .allSatisfy(c -> assertThat(statusAfter.get(c)).describedAs(c).isEqualTo(statusBefore.get(c)));

        assertThat(set(plan.anomalies()))
                .isEqualTo(verdicts(explained, Verdict.NO_TASKS))
                .isEqualTo(codes(candidates, c -> explained.get(c).taskCount() == 0))
                .isNotEmpty();
        assertThat(set(plan.undefinedStatus()))
                .isEqualTo(verdicts(explained, Verdict.UNDEFINED_STATUS))
                .isNotEmpty();
        Set<String> waiting = new TreeSet<>(verdicts(explained, Verdict.OPEN));
        waiting.addAll(verdicts(explained, Verdict.STUCK));
        waiting.addAll(verdicts(explained, Verdict.UNDEFINED_STATUS));
        Set<String> planWaiting = new TreeSet<>(set(plan.stillOpen()));
        assertThat(planWaiting)
                .isEqualTo(codes(
                        candidates,
                        c -> !completedByRun.contains(c) && explained.get(c).taskCount() > 0));
        assertThat(planWaiting).isEqualTo(waiting);
        assertThat(set(plan.stuck()))
                .describedAs("plan's stuck: the candidates explain shows a stuck task of")
                .isEqualTo(
                        codes(candidates, c -> explained.get(c).tasks().stream().anyMatch(ExplainService.Task::stuck)))
                .containsAll(verdicts(explained, Verdict.STUCK))
                .isNotEmpty();

        // and the step's own counters say the same
        StepExecution reconcile = step(execution, "reconcile");
        var context = reconcile.getExecutionContext();
        assertThat(StepCounters.get(context, ReconcileCounters.COMPLETED))
                .isEqualTo(plan.complete().count());
        assertThat(StepCounters.get(context, ReconcileCounters.QUEUED))
                .isEqualTo(plan.queue().count());
        assertThat(StepCounters.get(context, ReconcileCounters.SKIPPED))
                .isEqualTo(plan.skip().count());
        assertThat(StepCounters.get(context, ReconcileCounters.NO_RECIPIENT))
                .isEqualTo(plan.fail().count());
        assertThat(StepCounters.get(context, ReconcileCounters.ANOMALIES))
                .isEqualTo(plan.anomalies().count());
        assertThat(StepCounters.get(context, ReconcileCounters.UNKNOWN_STATUS))
                .isEqualTo(plan.undefinedStatus().count());
        assertThat(StepCounters.get(context, ReconcileCounters.STILL_OPEN))
                .isEqualTo(plan.stillOpen().count());
        // the step's stuck orders (what status shows as of the run) are plan's, and the live counts agree
        assertThat(StepCounters.get(context, ReconcileCounters.STUCK))
                .isEqualTo(plan.stuck().count())
                .isEqualTo(liveStuck);
        assertThat(StepCounters.get(context, ReconcileCounters.STUCK_AFTER_SECONDS))
                .isEqualTo(Duration.ofDays(1).toSeconds());
        assertThat(set(liveAnomalies)).isEqualTo(set(plan.anomalies()));
        assertThat(liveFinished).isEqualTo(plan.complete().count());
    }

    private static Set<String> set(RunPreview.Group group) {
        assertThat(group.first()).hasSize((int) group.count());
        return new TreeSet<>(group.first());
    }

    private static Set<String> verdicts(Map<String, ExplainService.Explanation> explained, Verdict verdict) {
        return codes(explained.keySet(), c -> explained.get(c).verdict() == verdict);
    }

    private static Set<String> withStatus(Map<String, String> notifications, String status) {
        return codes(notifications.keySet(), c -> notifications.get(c).equals(status));
    }

    private static Set<String> codes(Map<String, String> byCode, Predicate<String> which) {
        return codes(byCode.keySet(), which);
    }

    private static Set<String> codes(Set<String> codes, Predicate<String> which) {
        return codes.stream().filter(which).collect(Collectors.toCollection(TreeSet::new));
    }
}
