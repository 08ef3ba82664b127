package shop.reconciler.mail;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import java.net.ConnectException;
import java.net.UnknownHostException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;

class SendFailureTest {

    @Test
    void recipientRefusedWith550IsPermanent() throws Exception {
        // given
        MessagingException e = refusedRecipient(550, "550 5.1.1 <buyer@example.com>: user unknown");

        // when
        SendFailure failure = SendFailure.of(e);

        // then
        assertThat(failure.kind()).isEqualTo(SendFailure.Kind.PERMANENT);
        assertThat(failure.reason()).contains("550 5.1.1").contains("user unknown");
    }

    @Test
    void recipientRefusedWith450IsTransient() throws Exception {
        // given
        MessagingException e = refusedRecipient(450, "450 4.2.1 mailbox busy, try later");

        // when
        SendFailure failure = SendFailure.of(e);

        // then
        assertThat(failure.kind()).isEqualTo(SendFailure.Kind.TRANSIENT);
        assertThat(failure.reason()).contains("450 4.2.1");
    }

    @Test
    void messageRefusedWith554IsPermanent() {
        // given
        MessagingException e =
                new SMTPSendFailedException("DATA", 554, "554 5.7.1 message rejected as spam", null, null, null, null);

        // when
        SendFailure failure = SendFailure.of(e);

        // then
        assertThat(failure.kind()).isEqualTo(SendFailure.Kind.PERMANENT);
        assertThat(failure.reason()).contains("554 5.7.1 message rejected as spam");
    }

    @Test
    void messageRefusedWith451IsTransient() {
        // given
        MessagingException e =
                new SMTPSendFailedException("DATA", 451, "451 4.3.0 local error", null, null, null, null);

        // when
        SendFailure failure = SendFailure.of(e);

        // then
        assertThat(failure.kind()).isEqualTo(SendFailure.Kind.TRANSIENT);
    }

    @Test
    void refusedConnectionIsUnreachable() {
        // given
        MessagingException e = new MessagingException(
                "Couldn't connect to host, port: localhost, 2525", new ConnectException("Connection refused"));

        // when
        SendFailure failure = SendFailure.of(e);

        // then
        assertThat(failure.kind()).isEqualTo(SendFailure.Kind.UNREACHABLE);
        assertThat(failure.reason()).contains("Couldn't connect").contains("Connection refused");
    }

    @Test
    void unknownHostIsUnreachable() {
        // given
        MessagingException e =
                new MessagingException("Unknown SMTP host: smtp.invalid", new UnknownHostException("smtp.invalid"));

        // when
        SendFailure failure = SendFailure.of(e);

        // then
        assertThat(failure.kind()).isEqualTo(SendFailure.Kind.UNREACHABLE);
    }

    @Test
    void plainTimeoutIsTransient() {
        // given
        MessagingException e = new MessagingException("timeout");

        // when
        SendFailure failure = SendFailure.of(e);

        // then
        assertThat(failure.kind()).isEqualTo(SendFailure.Kind.TRANSIENT);
        assertThat(failure.reason()).isEqualTo("timeout");
    }

    @Test
    void reasonIsOneLine() throws Exception {
        // given
        MessagingException[] failures = {
            refusedRecipient(550, "550-5.1.1 first line\r\n550-5.1.1 second line\r\n550 5.1.1 last line\r\n"),
            new SMTPSendFailedException("DATA", 554, "554-rejected\n554 really\n", null, null, null, null),
            new MessagingException("line one\nline two", new ConnectException("refused\r\nagain")),
            new MessagingException(null),
        };

        for (MessagingException e : failures) {
            // when
            SendFailure failure = SendFailure.of(e);

            // then
            assertThat(failure.reason())
                    .describedAs("reason of %s", e)
                    .isNotBlank()
                    .doesNotContain("\r", "\n");
            assertThat(failure.reason())
                    .describedAs("length of reason of %s", e)
                    .hasSizeLessThanOrEqualTo(1000);
        }
    }

    @Test
    void reasonOfVeryLongReplyIsBounded() {
        // given
        MessagingException e =
                new SMTPSendFailedException("DATA", 554, "554 " + "x".repeat(5_000), null, null, null, null);

        // when
        SendFailure failure = SendFailure.of(e);

        // then
        assertThat(failure.kind()).isEqualTo(SendFailure.Kind.PERMANENT);
        assertThat(failure.reason()).hasSizeLessThanOrEqualTo(1000).doesNotContain("\n");
    }

    /** What Angus throws when RCPT TO is refused: a SendFailedException with the reply nested in it. */
    private static MessagingException refusedRecipient(int code, String reply) throws Exception {
        InternetAddress recipient = new InternetAddress("buyer@example.com");
        SMTPAddressFailedException refused =
                new SMTPAddressFailedException(recipient, "RCPT TO:<buyer@example.com>", code, reply);
        return new SendFailedException(
                "Invalid Addresses", refused, new Address[0], new Address[0], new Address[] {recipient});
    }
}
