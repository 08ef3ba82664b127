package shop.reconciler.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class AuditTrailTest {

    @Test
    void textLongerThanItsColumnIsCutAtACharacterWithAnEllipsisAndShorterTextIsKept() {
        String emoji = "\uD83D\uDE00"; // one character, two UTF-16 units

        assertThat(AuditTrail.bounded("short", 10)).isEqualTo("short");
        assertThat(AuditTrail.bounded(emoji.repeat(10), 10)).isEqualTo(emoji.repeat(10));
        assertThat(AuditTrail.bounded(emoji.repeat(11), 10)).isEqualTo(emoji.repeat(9) + "\u2026");
        assertThat(AuditTrail.bounded(null, 10)).isNull();
    }

    @Test
    void theTableHasOnlyAnInsertAndASelect() {
        // the audit trail is appended to, never changed: its owner has no other statement
        assertThat(AuditTrail.APPEND_SQL.strip().toUpperCase(Locale.ROOT)).startsWith("INSERT INTO {{AUDIT}}");
        assertThat(AuditTrail.RECENT_SQL.strip().toUpperCase(Locale.ROOT))
                .startsWith("SELECT")
                .doesNotContain("UPDATE", "DELETE");
    }

    @Test
    void aReasonIsKeptUpToItsColumnAndABlankOneIsNone() {
        assertThat(Actor.problemWith(null)).isNull();
        assertThat(Actor.problemWith("x".repeat(Actor.MAX_REASON))).isNull();
        assertThat(Actor.problemWith("x".repeat(Actor.MAX_REASON + 1))).contains("at most 1000 characters");
        assertThat(Actor.cli("   ").reason()).isNull();
        assertThat(Actor.cli(" why ").reason()).isEqualTo("why");
        assertThat(Actor.cli(null).name()).isEqualTo(System.getProperty("user.name"));
    }
}
