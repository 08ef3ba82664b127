package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;

/**
 * A shop database whose default character set is latin1: the shop's own tables are utf8mb4 (as
 * the shop's DDL says), but tables created without a character set, as the reconciler's first
 * migrations created its own, would be latin1 and refuse a CJK order code. Migration V4 makes
 * them utf8mb4.
 */
class Utf8mb4IntegrationTest {

    private static final GreenMail SMTP = MailServer.start();

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void onALatin1DatabaseCjkCodesAndNonAsciiAddressesAreStoredAndSent() throws Exception {
        // given: the database's default is latin1 before the reconciler creates its tables
        ShopUnderTest reconciler =
                new ShopUnderTest("latin1").smtpPort(SMTP.getSmtp().getPort());
        String database = reconciler.database.name();
        reconciler
                .shop
                .jdbc()
                .execute("ALTER DATABASE `" + database + "` CHARACTER SET latin1 COLLATE latin1_swedish_ci");
        String cjk = "注文-漢字テスト-二〇二六";
        String idn = "ORD-IDN";
        String cjkLocal = "ORD-CJK-LOCAL";
        reconciler.shop.processingOrder(cjk, "buyer@example.com", "completed");
        reconciler.shop.processingOrder(idn, "Jürgen Müller 山田 <kunde@bücher.example>", "completed");
        reconciler.shop.processingOrder(cjkLocal, "山田@example.com", "completed");

        // when
        CliRunner.Result run = reconciler.cli("run");

        // then: the run completes; the reconciler's tables are utf8mb4 in a latin1 database
        assertThat(run.exit()).describedAs(run.describe()).isZero();
        assertThat(reconciler
                        .shop
                        .jdbc()
                        .queryForObject(
                                "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                                String.class,
                                database))
                .isEqualTo("latin1");
        for (String table : List.of(
                "order_notifications",
                "shedlock",
                "reconcile_failures",
                "BATCH_JOB_INSTANCE",
                "BATCH_JOB_EXECUTION",
                "BATCH_JOB_EXECUTION_PARAMS",
                "BATCH_STEP_EXECUTION",
                "BATCH_STEP_EXECUTION_CONTEXT",
                "BATCH_JOB_EXECUTION_CONTEXT")) {
            assertThat(reconciler
                            .shop
                            .jdbc()
                            .queryForObject(
                                    "SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                                    String.class,
                                    database,
                                    table))
                    .describedAs(table)
                    .startsWith("utf8mb4");
        }
        // the CJK code is stored as it is and its email sent, its subject naming it
        assertThat(reconciler.shop.orderStatus(cjk)).isEqualTo("completed");
        assertThat(reconciler.shop.notification(cjk))
                .containsEntry("order_code", cjk)
                .containsEntry("status", "sent");
        // the internationalised domain is sent to in its ASCII form
        assertThat(reconciler.shop.notification(idn)).containsEntry("status", "sent");
        // the address with a non-ASCII local part is stored as the shop has it, marked failed
        assertThat(reconciler.shop.orderStatus(cjkLocal)).isEqualTo("completed");
        assertThat(reconciler.shop.notification(cjkLocal))
                .containsEntry("recipient", "山田@example.com")
                .containsEntry("status", "failed");
        List<String> subjects = Arrays.stream(SMTP.getReceivedMessages())
                .map(ShopUnderTest::subject)
                .toList();
        assertThat(subjects).containsExactlyInAnyOrder(ShopUnderTest.subjectOf(cjk), ShopUnderTest.subjectOf(idn));
        MimeMessage idnMessage = Arrays.stream(SMTP.getReceivedMessages())
                .filter(m -> ShopUnderTest.subject(m).equals(ShopUnderTest.subjectOf(idn)))
                .findFirst()
                .orElseThrow();
        assertThat(idnMessage.getAllRecipients()[0].toString()).isEqualTo("kunde@xn--bcher-kva.example");
    }
}
