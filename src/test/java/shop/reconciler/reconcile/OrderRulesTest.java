package shop.reconciler.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import shop.reconciler.db.Dialect;
import shop.reconciler.outbox.NotificationStatus;

class OrderRulesTest {

    private final OrderRules rules = new OrderRules(
            List.of("completed", "failed", "cancelled"),
            Duration.ofDays(7),
            Duration.ofHours(24),
            Dialect.of(Dialect.Kind.MARIADB));

    @Test
    void taskStatesCompareExactly() {
        // given: status, state
        Map<String, OrderRules.TaskState> table = Map.of(
                "completed", OrderRules.TaskState.TERMINAL,
                "failed", OrderRules.TaskState.TERMINAL,
                "cancelled", OrderRules.TaskState.TERMINAL,
                "enrolled", OrderRules.TaskState.OPEN,
                "pending", OrderRules.TaskState.OPEN,
                "COMPLETED", OrderRules.TaskState.UNDEFINED,
                "completed ", OrderRules.TaskState.UNDEFINED,
                "", OrderRules.TaskState.UNDEFINED,
                "weird", OrderRules.TaskState.UNDEFINED);

        table.forEach((status, state) ->
                // when, then
                assertThat(rules.taskState(status)).describedAs("'%s'", status).isEqualTo(state));
        assertThat(rules.taskState(null)).isEqualTo(OrderRules.TaskState.UNDEFINED);
    }

    @Test
    void onlyExactlyProcessingIsACandidate() {
        assertThat(rules.isCandidate("processing")).isTrue();
        for (String other : new String[] {"Processing", "processing ", "pending", "completed", "", null}) {
            assertThat(rules.isCandidate(other)).describedAs("'%s'", other).isFalse();
        }
    }

    @Test
    void aCourseIsDeliveredOrFailedOnlyByExactlyThatStatus() {
        for (String status : new String[] {"COMPLETED", "Completed", "completed ", "failed", "cancelled", "", null}) {
            assertThat(rules.isDeliveredTask(status))
                    .describedAs("'%s'", status)
                    .isFalse();
        }
        for (String status : new String[] {"FAILED", "Failed", "failed ", "completed", "cancelled", "", null}) {
            assertThat(rules.isFailedTask(status)).describedAs("'%s'", status).isFalse();
        }
        assertThat(rules.isDeliveredTask("completed")).isTrue();
        assertThat(rules.isFailedTask("failed")).isTrue();
        // a terminal status the operator added finishes the order, and is neither in the email
        assertThat(rules.taskState("cancelled")).isEqualTo(OrderRules.TaskState.TERMINAL);
    }

    @Test
    void aBacklogIsSkippedElseTheAddressDecides() {
        // given
        Timestamp now = Timestamp.valueOf("2026-01-10 12:00:00");
        Timestamp cutoff = Timestamp.valueOf("2026-01-03 12:00:00");

        // when, then
        assertThat(OrderRules.isBacklog(Timestamp.valueOf("2026-01-01 00:00:00"), cutoff))
                .isTrue();
        assertThat(OrderRules.isBacklog(now, cutoff)).isFalse();
        assertThat(OrderRules.isBacklog(null, cutoff)).isFalse();
        assertThat(rules.mailFor(true, "a@example.com").status()).isEqualTo(NotificationStatus.SKIPPED);
        assertThat(rules.mailFor(true, "a@example.com").error()).contains("reconciler.mail.max-age (7d)");
        assertThat(rules.mailFor(false, "a@example.com"))
                .isEqualTo(new OrderRules.Mail(NotificationStatus.QUEUED, "a@example.com", null));
        assertThat(rules.mailFor(false, null).status()).isEqualTo(NotificationStatus.FAILED);
        OrderRules.Mail unusable = rules.mailFor(false, "x".repeat(300));
        assertThat(unusable.status()).isEqualTo(NotificationStatus.FAILED);
        assertThat(unusable.recipient()).hasSize(255);
        assertThat(unusable.error()).isNotBlank();
    }

    @Test
    void anUnusableRecipientIsKeptToTheColumnsLengthInWholeCharacters() {
        // given: an address of 300 emoji (two UTF-16 units each), as a utf8mb4 column admits
        String emoji = "\uD83D\uDE00";

        // when
        OrderRules.Mail unusable = rules.mailFor(false, emoji.repeat(300));
        OrderRules.Mail oddCut = rules.mailFor(false, "x" + emoji.repeat(300));

        // then: 255 characters as the VARCHAR(255) counts them, none cut in half
        assertThat(unusable.status()).isEqualTo(NotificationStatus.FAILED);
        assertThat(unusable.recipient()).isEqualTo(emoji.repeat(255));
        assertThat(oddCut.recipient()).isEqualTo("x" + emoji.repeat(254));
        assertThat(oddCut.recipient().codePoints().noneMatch(cp -> Character.getType(cp) == Character.SURROGATE))
                .isTrue();
    }

    @Test
    void theSqlComparesStatusesExactlyOnMySqlAndPlainlyOnH2() {
        OrderRules h2 = new OrderRules(
                List.of("completed", "failed"), Duration.ofDays(7), Duration.ofHours(24), Dialect.of(Dialect.Kind.H2));

        assertThat(rules.sql().get("orderIsCandidate"))
                .isEqualTo("o.order_status = 'processing' AND BINARY o.order_status = 'processing'");
        assertThat(rules.sql().get("taskIsTerminal"))
                .isEqualTo("t.status IS NOT NULL AND BINARY t.status IN ('completed','failed','cancelled')");
        assertThat(rules.sql().get("backlogCutoff")).isEqualTo("TIMESTAMPADD(SECOND, -604800, NOW(3))");
        assertThat(rules.sql().get("taskIsDelivered"))
                .isEqualTo("t.status = 'completed' AND BINARY t.status = 'completed'");
        assertThat(rules.sql().get("taskIsFailed")).isEqualTo("t.status = 'failed' AND BINARY t.status = 'failed'");
        assertThat(h2.sql().get("taskIsDelivered")).isEqualTo("t.status = 'completed'");
        assertThat(rules.sql().get("stuckCutoff")).isEqualTo("TIMESTAMPADD(SECOND, -86400, NOW(3))");
        assertThat(h2.sql().get("orderIsCandidate")).isEqualTo("o.order_status = 'processing'");
        assertThat(h2.sql().get("taskIsOpen"))
                .isEqualTo("(t.status IS NULL OR t.status NOT IN ('completed','failed'))");
        assertThat(rules.fill("SELECT 1 FROM orders o WHERE {{orderIsCandidate}} AND {{ids}}"))
                .doesNotContain("{{orderIsCandidate}}")
                .contains("{{ids}}");
    }
}
