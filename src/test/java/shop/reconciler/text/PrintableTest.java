package shop.reconciler.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void escapesControlCharactersAndLeavesOtherUnicodeAlone() {
        assertThat(Printable.of("a\u001b[2J\r\n\tb\u0000\u007f\u009b\u2028\u202e"))
                .isEqualTo("a\\e[2J\\r\\n\\tb\\x00\\x7F\\x9B<U+2028><U+202E>");
        assertThat(Printable.of("订单-ü-😀 plain")).isEqualTo("订单-ü-😀 plain");
        assertThat(Printable.of(null)).isNull();
    }
}
