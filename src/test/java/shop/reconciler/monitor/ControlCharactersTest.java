package shop.reconciler.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControlCharactersTest {

    @Test
    void escapesControlCharactersAndLeavesOtherUnicodeAlone() {
        assertThat(ControlCharacters.escape("a\u001b[2J\r\n\tb\u0000\u007f\u009b\u2028\u202e"))
                .isEqualTo("a\\u001b[2J\\r\\n\\tb\\u0000\\u007f\\u009b\\u2028\\u202e");
        assertThat(ControlCharacters.escape("订单-ü-😀 plain")).isEqualTo("订单-ü-😀 plain");
        assertThat(ControlCharacters.escape(null)).isNull();
    }
}
