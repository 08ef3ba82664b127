package shop.reconciler.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlTextTest {

    @Test
    void chunkIdsBecomeNumberLiterals() {
        assertThat(SqlText.withIds("WHERE id IN ({{ids}})", List.of(3L, 10L, 42L)))
                .isEqualTo("WHERE id IN (3,10,42)");
    }

    @Test
    void configuredValuesBecomeQuotedLiterals() {
        assertThat(SqlText.literal("completed")).isEqualTo("'completed'");
        assertThat(SqlText.literal("newest task older than reconciler.mail.max-age (7d)"))
                .isEqualTo("'newest task older than reconciler.mail.max-age (7d)'");
    }

    @Test
    void quotesBackslashesAndControlCharactersAreRefusedNotEscaped() {
        for (String bad : List.of("it's", "back\\slash", "line\nbreak", "nul\0")) {
            assertThatThrownBy(() -> SqlText.literal(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not usable as a plain SQL literal");
        }
    }

    @Test
    void fillReplacesTheGivenMarkersAndLeavesTheOthersForLater() {
        assertThat(SqlText.fill("WHERE {{a}} AND id IN ({{ids}})", java.util.Map.of("a", "x = 1")))
                .isEqualTo("WHERE x = 1 AND id IN ({{ids}})");
    }

    @Test
    void aStatementWithAMarkerLeftIsRefused() {
        assertThatThrownBy(() -> SqlText.withIds("WHERE {{a}} AND id IN ({{ids}})", List.of(1L)))
                .isInstanceOf(IllegalStateException.class);
    }
}
