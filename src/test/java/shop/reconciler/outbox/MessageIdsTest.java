package shop.reconciler.outbox;

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
}
