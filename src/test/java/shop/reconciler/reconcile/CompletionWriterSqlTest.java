package shop.reconciler.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompletionWriterSqlTest {

    @Test
    void chunkIdsBecomeNumberLiterals() {
        assertThat(CompletionWriter.withIds("WHERE id IN ({ids})", List.of(3L, 10L, 42L)))
                .isEqualTo("WHERE id IN (3,10,42)");
    }

    @Test
    void configuredValuesBecomeQuotedLiterals() {
        assertThat(CompletionWriter.sqlLiteral("completed")).isEqualTo("'completed'");
        assertThat(CompletionWriter.sqlLiteral("newest task older than reconciler.mail.max-age (7d)"))
                .isEqualTo("'newest task older than reconciler.mail.max-age (7d)'");
    }

    @Test
    void quotesBackslashesAndControlCharactersAreRefusedNotEscaped() {
        for (String bad : List.of("it's", "back\\slash", "line\nbreak", "nul\0")) {
            assertThatThrownBy(() -> CompletionWriter.sqlLiteral(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not usable as a plain SQL literal");
        }
    }
}
