package shop.reconciler.addressing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageIdsTest {

    private static final String DOMAIN = "order-reconciler.local";

    @Test
    void sameCodeGivesSameId() {
        // when
        String first = MessageIds.of("DH123456", DOMAIN);
        String second = MessageIds.of("DH123456", DOMAIN);

        // then
        assertThat(first).isEqualTo(second).isEqualTo("<order-DH123456@order-reconciler.local>");
    }

    @Test
    void encodesSpaceAndSlashButKeepsDomain() {
        // when
        String id = MessageIds.of("DH 1/2", DOMAIN);

        // then
        assertThat(id).doesNotContain(" ", "/");
        assertThat(id).startsWith("<order-").endsWith("@" + DOMAIN + ">");
        assertThat(id).isEqualTo("<order-DH.201.2F2@order-reconciler.local>");
    }

    @Test
    void encodesEveryCharacterThatCouldBreakTheHeader() {
        // given
        List<String> codes = List.of("DH\r\nBcc: x@example.org", "DH<1>", "DH@evil", "ĐH-123", "DH 🚀", "a.b", "\"q\"");

        for (String code : codes) {
            // when
            String id = MessageIds.of(code, DOMAIN);

            // then
            String local = id.substring(1, id.lastIndexOf('@'));
            assertThat(id).describedAs("id of %s", code).startsWith("<order-").endsWith("@" + DOMAIN + ">");
            assertThat(local)
                    .describedAs("local part of %s", code)
                    .matches("[A-Za-z0-9_.-]+")
                    .doesNotContain("..")
                    .doesNotStartWith(".")
                    .doesNotEndWith(".");
        }
    }

    @Test
    void differentCodesGiveDifferentIds() {
        // given: codes that a careless encoding would merge
        List<String> codes = List.of(
                "DH1", "DH2", "dh1", "DH 1", "DH.201", "DH_1", "DH-1", "DH/1", "DH.2F1", "DH1 ", "ĐH1", "DH.C4.90");

        // when
        Set<String> ids = new HashSet<>();
        for (String code : codes) {
            ids.add(MessageIds.of(code, DOMAIN));
        }

        // then
        assertThat(ids).hasSameSizeAs(codes);
    }
    /** Labels of 63 characters and dots, exactly as long as the domain may be. */
    private static final String LONGEST_DOMAIN = longestDomain();

    /** What RFC 5322 allows in a msg-id, as both forms write it: dot-atom @ dot-atom. */
    private static final String MSG_ID = "<[A-Za-z0-9_=-]+(\\.[A-Za-z0-9_=-]+)*@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*>";

    @Test
    void everyCodeTheShopsColumnAdmitsGivesAValidStableIdThatFitsItsColumn() {
        // given: codes of up to 32 characters (VARCHAR(32) utf8mb4), of any Unicode
        List<String> codes = List.of(
                "注".repeat(26),
                "注".repeat(32),
                "🚀".repeat(32),
                "\u0000\u0001\u001b[2J\r\n\t\u007f".repeat(4),
                "A".repeat(32),
                "a.b-c_d".repeat(4),
                "ĐH-" + "é".repeat(29),
                "",
                " ",
                "<>@\"\\()[];:,");

        for (String domain : List.of(DOMAIN, LONGEST_DOMAIN)) {
            Set<String> ids = new HashSet<>();
            for (String code : codes) {
                // when
                String id = MessageIds.of(code, domain);

                // then
                assertThat(id)
                        .describedAs("id of %s at %s", code, domain)
                        .hasSizeLessThanOrEqualTo(255)
                        .matches(MSG_ID)
                        .endsWith("@" + domain + ">")
                        .isEqualTo(MessageIds.of(code, domain));
                ids.add(id);
            }
            assertThat(ids).describedAs("distinct ids at %s", domain).hasSameSizeAs(codes);
        }
    }

    @Test
    void aCodeWhoseEscapedIdIsTooLongIsHashedAndTheShortOnesKeepTheirId() {
        // when
        String cjk = MessageIds.of("注".repeat(26), DOMAIN);
        String plain = MessageIds.of("A".repeat(32), DOMAIN);
        String escaped = MessageIds.of("注文", DOMAIN);

        // then
        assertThat(cjk).matches("<order\\.sha256\\.[0-9a-f]{64}@order-reconciler\\.local>");
        assertThat(plain).isEqualTo("<order-" + "A".repeat(32) + "@order-reconciler.local>");
        assertThat(escaped).isEqualTo("<order-.E6.B3.A8.E6.96.87@order-reconciler.local>");
    }

    @Test
    void onlyADomainThatLeavesRoomForEveryIdIsUsable() {
        assertThat(LONGEST_DOMAIN).hasSize(MessageIds.MAX_DOMAIN_LENGTH);
        assertThat(MessageIds.isUsableDomain(LONGEST_DOMAIN)).isTrue();
        assertThat(MessageIds.isUsableDomain("a" + LONGEST_DOMAIN)).isFalse();
        for (String bad : List.of("", ".example.com", "example..com", "example.com.", "exa mple.com", "ex>")) {
            assertThat(MessageIds.isUsableDomain(bad)).describedAs(bad).isFalse();
        }
    }

    @Test
    void aStoredIdIsUsedOnlyWhenItIsTheOneOfItsOrderCode() {
        // given
        String stored = MessageIds.of("DH 1/2", "old.example.com");

        // when / then: the id of the first copy, even after the domain changed
        assertThat(MessageIds.checked(stored, "DH 1/2", DOMAIN)).isEqualTo(stored);
        // anything else is computed again from the code
        String fresh = MessageIds.of("DH 1/2", DOMAIN);
        assertThat(MessageIds.checked(null, "DH 1/2", DOMAIN)).isEqualTo(fresh);
        assertThat(MessageIds.checked(MessageIds.of("DH 1/3", DOMAIN), "DH 1/2", DOMAIN))
                .isEqualTo(fresh);
        assertThat(MessageIds.checked(stored + "\r\nBcc: x@example.org", "DH 1/2", DOMAIN))
                .isEqualTo(fresh);
        assertThat(MessageIds.checked("<order-DH.201.2F2@evil>\r\n", "DH 1/2", DOMAIN))
                .isEqualTo(fresh);
    }

    private static String longestDomain() {
        StringBuilder domain = new StringBuilder();
        while (domain.length() < MessageIds.MAX_DOMAIN_LENGTH) {
            if (!domain.isEmpty()) {
                domain.append('.');
            }
            int label = Math.min(63, MessageIds.MAX_DOMAIN_LENGTH - domain.length());
            domain.append("d".repeat(label));
        }
        return domain.toString();
    }
}
