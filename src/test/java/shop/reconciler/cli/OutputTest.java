package shop.reconciler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputTest {

    @Test
    void controlAndInvisibleCharactersBecomeVisibleEscapes() {
        // given
        Map<String, String> cases = Map.of(
                "clear\u001b[2Jscreen", "clear\\e[2Jscreen",
                "two\r\nlines\ttab", "two\\r\\nlines\\ttab",
                "bell\u0007 del\u007f c1\u009b", "bell\\x07 del\\x7F c1\\x9B",
                "\u202Eevil\u2066 \u200B\uFEFF", "<U+202E>evil<U+2066> <U+200B><U+FEFF>");

        cases.forEach((raw, shown) -> {
            // when
            String text = Output.text(raw);

            // then
            assertThat(text).describedAs("text of %s", shown).isEqualTo(shown);
        });
    }

    @Test
    void ordinaryTextOfAnyScriptStaysAsItIs() {
        // given: accents, CJK, an emoji sequence with its zero-width joiner, a backslash
        String text = "Café 講座 👩\u200D💻 C:\\courses";

        // when / then
        assertThat(Output.text(text)).isSameAs(text);
        assertThat(Output.text(null)).isNull();
    }

    @Test
    void jsonEscapesControlCharactersItself() {
        // when
        String json = Output.json(Map.of("title", "a\u001b[2J\r\n"));

        // then
        assertThat(json).containsIgnoringCase("a\\u001b[2J\\r\\n").doesNotContain("\u001b");
    }
}
