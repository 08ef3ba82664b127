package shop.reconciler.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void removesPasswordsFromUrlQueriesKeyValueHostsAndSettings() {
        assertThat(Redaction.redact("jdbc:mysql://db:3306/shop?user=recon&password=s3cr%26t&sslMode=REQUIRED"))
                .isEqualTo("jdbc:mysql://db:3306/shop?user=recon&password=***&sslMode=REQUIRED");
        assertThat(Redaction.redact("jdbc:mysql://db/shop;pwd=abc;x=1")).isEqualTo("jdbc:mysql://db/shop;pwd=***;x=1");
        assertThat(Redaction.redact("jdbc:mysql://(host=db,port=3306,user=u,password=pa55)/shop"))
                .isEqualTo("jdbc:mysql://(host=db,port=3306,user=u,password=***)/shop");
        assertThat(Redaction.redact("--spring.datasource.password=hunter2 --spring.mail.password='two words'"))
                .isEqualTo("--spring.datasource.password=*** --spring.mail.password=***");
        assertThat(Redaction.redact("?trustCertificateKeyStorePassword=changeit&clientSecret=xyz&apiToken=t"))
                .isEqualTo("?trustCertificateKeyStorePassword=***&clientSecret=***&apiToken=***");
        assertThat(Redaction.redact("{\"password\":\"p\\\"q\",\"user\":\"u\"}"))
                .isEqualTo("{\"password\":\"***\",\"user\":\"u\"}");
    }

    @Test
    void removesThePasswordOfAUrlsUserInfo() {
        assertThat(Redaction.redact(
                        "at jdbc:mysql://recon:pa:ss@db:3306/shop and smtp://mailer:m41l@smtp.example.com:587"))
                .isEqualTo("at jdbc:mysql://recon:***@db:3306/shop and smtp://mailer:***@smtp.example.com:587");
        assertThat(Redaction.redact("http://127.0.0.1:8080/actuator/health"))
                .isEqualTo("http://127.0.0.1:8080/actuator/health");
    }

    @Test
    void removesARegisteredSecretWhereverItAppearsButLeavesShortOnesToTheKeyedForms() {
        // given
        Redaction.registerSecret("Correct-Horse-42");
        Redaction.registerSecret("abc");

        // then
        assertThat(Redaction.redact("AUTH failed for Correct-Horse-42 (abc)")).isEqualTo("AUTH failed for *** (abc)");
    }

    @Test
    void leavesOrdinaryTextAlone() {
        String text = "PASS database: MariaDB 11.4 at jdbc:mysql://127.0.0.1:3306/shop?useSSL=false";
        assertThat(Redaction.redact(text)).isEqualTo(text);
        assertThat(Redaction.redact("Access denied for user 'recon'@'localhost' (using password: YES)"))
                .isEqualTo("Access denied for user 'recon'@'localhost' (using password: YES)");
    }

    @Test
    void aRedactingPrintStreamRedactsWholeLinesWrittenInPieces() {
        // given
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream target = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        PrintStream out = Redaction.printStream(target);

        // when
        out.print("url: jdbc:mysql://db/shop?pass");
        out.print("word=hunter2&x=1 ü");
        out.println();
        out.printf("%s%n", "user:pw@ no scheme");
        out.print("last: password=tail");
        out.close();

        // then
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo("url: jdbc:mysql://db/shop?password=***&x=1 ü" + System.lineSeparator()
                        + "user:pw@ no scheme" + System.lineSeparator() + "last: password=***");
    }
}
