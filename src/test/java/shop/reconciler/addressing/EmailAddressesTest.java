package shop.reconciler.addressing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmailAddressesTest {

    @Test
    void acceptsPlainAddress() {
        // given
        String raw = "jane@example.com";

        // when
        EmailAddresses.Checked checked = EmailAddresses.check(raw);

        // then
        assertThat(checked.ok()).isTrue();
        assertThat(checked.address()).isEqualTo("jane@example.com");
        assertThat(checked.problem()).isNull();
        assertThat(EmailAddresses.isValid(raw)).isTrue();
    }

    @Test
    void dropsDisplayName() {
        // given
        String raw = "Jane <jane@example.com>";

        // when
        EmailAddresses.Checked checked = EmailAddresses.check(raw);

        // then
        assertThat(checked.ok()).isTrue();
        assertThat(checked.address()).isEqualTo("jane@example.com");
    }

    @Test
    void stripsSurroundingSpaces() {
        // given
        String raw = "  \tjane@example.com  ";

        // when
        EmailAddresses.Checked checked = EmailAddresses.check(raw);

        // then
        assertThat(checked.address()).isEqualTo("jane@example.com");
    }

    @Test
    void refusesNullAndBlankWithReason() {
        // given
        List<String> blanks = Arrays.asList(null, "", "   ", "\t\n");

        for (String raw : blanks) {
            // when
            EmailAddresses.Checked checked = EmailAddresses.check(raw);

            // then
            assertThat(checked.ok()).describedAs("ok for %s", quoted(raw)).isFalse();
            assertThat(checked.address())
                    .describedAs("address for %s", quoted(raw))
                    .isNull();
            assertThat(checked.problem())
                    .describedAs("problem for %s", quoted(raw))
                    .isNotBlank();
            assertThat(EmailAddresses.isValid(raw))
                    .describedAs("isValid for %s", quoted(raw))
                    .isFalse();
        }
    }

    @Test
    void refusesAddressWithHeaderInjection() {
        // given
        List<String> injections = List.of(
                "jane@example.com\r\nBcc: victim@example.org",
                "jane@example.com\nBcc: victim@example.org",
                "jane@example.com\rBcc: victim@example.org",
                "jane\r\n@example.com",
                "jane@example.com\u0000");

        for (String raw : injections) {
            // when
            EmailAddresses.Checked checked = EmailAddresses.check(raw);

            // then
            assertThat(checked.ok()).describedAs("ok for %s", quoted(raw)).isFalse();
            assertThat(checked.problem())
                    .describedAs("problem for %s", quoted(raw))
                    .contains("control characters");
        }
    }

    @Test
    void refusesTwoAddresses() {
        // given
        List<String> pairs = List.of(
                "a@example.com, b@example.com",
                "a@example.com,b@example.com",
                "Jane <a@example.com>, John <b@example.com>");

        for (String raw : pairs) {
            // when
            EmailAddresses.Checked checked = EmailAddresses.check(raw);

            // then
            assertThat(checked.ok()).describedAs("ok for %s", raw).isFalse();
            assertThat(checked.problem()).describedAs("problem for %s", raw).contains("exactly one address");
        }
    }

    @Test
    void refusesAddressWithoutDomain() {
        // given
        List<String> noDomain = List.of("jane", "jane@", "@example.com");

        for (String raw : noDomain) {
            // when
            EmailAddresses.Checked checked = EmailAddresses.check(raw);

            // then
            assertThat(checked.ok()).describedAs("ok for %s", raw).isFalse();
            assertThat(checked.problem()).describedAs("problem for %s", raw).isNotBlank();
        }
    }

    @Test
    void refusesSingleLabelDomain() {
        // given
        String raw = "jane@localhost";

        // when
        EmailAddresses.Checked checked = EmailAddresses.check(raw);

        // then
        assertThat(checked.ok()).isFalse();
        assertThat(checked.problem()).contains("domain").contains("localhost");
    }

    @Test
    void convertsInternationalisedDomainToPunycode() {
        // given
        String raw = "user@bücher.example";

        // when
        EmailAddresses.Checked checked = EmailAddresses.check(raw);

        // then
        assertThat(checked.ok()).isTrue();
        assertThat(checked.address()).isEqualTo("user@xn--bcher-kva.example");
    }

    @Test
    void refusesNonAsciiLocalPartBecauseSmtputf8IsOff() {
        // given
        List<String> nonAscii = List.of("jürgen@example.com", "Jürgen <jürgen@example.com>", "nguyễn@example.vn");

        for (String raw : nonAscii) {
            // when
            EmailAddresses.Checked checked = EmailAddresses.check(raw);

            // then
            assertThat(checked.ok()).describedAs("ok for %s", raw).isFalse();
            assertThat(checked.problem()).describedAs("problem for %s", raw).contains("SMTPUTF8");
        }
    }

    @Test
    void acceptsLocalPartOfExactly64Characters() {
        // given
        String raw = "a".repeat(64) + "@example.com";

        // when
        EmailAddresses.Checked checked = EmailAddresses.check(raw);

        // then
        assertThat(checked.ok()).isTrue();
    }

    @Test
    void refusesLocalPartLongerThan64Characters() {
        // given
        String raw = "a".repeat(65) + "@example.com";

        // when
        EmailAddresses.Checked checked = EmailAddresses.check(raw);

        // then
        assertThat(checked.ok()).isFalse();
        assertThat(checked.problem()).contains("64");
    }

    @Test
    void refusesAddressLongerThan254Characters() {
        // given: 64 + 1 + 63 + 1 + 63 + 1 + 63 + 1 + 3 = 260 characters, every part within its own limit
        String raw = "a".repeat(64) + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(63) + ".com";

        // when
        EmailAddresses.Checked checked = EmailAddresses.check(raw);

        // then
        assertThat(raw).hasSizeGreaterThan(254);
        assertThat(checked.ok()).isFalse();
        assertThat(checked.problem()).contains("254");
    }

    @Test
    void acceptsAddressOfExactly254Characters() {
        // given: 64 + 1 + 63 + 1 + 63 + 1 + 57 + 1 + 3 = 254 characters
        String raw = "a".repeat(64) + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(57) + ".com";

        // when
        EmailAddresses.Checked checked = EmailAddresses.check(raw);

        // then
        assertThat(raw).hasSize(254);
        assertThat(checked.ok()).isTrue();
        assertThat(checked.address()).isEqualTo(raw);
    }

    private static String quoted(String raw) {
        return raw == null
                ? "null"
                : "'" + raw.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t") + "'";
    }
}
