package shop.reconciler.mail;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ConnectFailureTest {

    @Test
    void aCertificateThatDoesNotVerifyIsNamedAsOneWithWhatToDo() {
        // given: how Angus Mail reports a refused certificate during STARTTLS
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
        handshake.initCause(new CertificateException("unable to find valid certification path to requested target"));
        MessagingException e = new MessagingException("Could not convert socket to TLS", handshake);

        // when
        ConnectFailure failure = ConnectFailure.of(e);

        // then
        assertThat(failure.kind()).isEqualTo(ConnectFailure.Kind.CERTIFICATE);
        assertThat(failure.reason()).contains("Could not convert socket to TLS").contains("PKIX path building failed");
        assertThat(failure.describe()).contains("certificate not trusted").contains("no attempt is charged");
        assertThat(failure.advice()).contains("certificate").contains("spring.mail.ssl.bundle");
    }

    @Test
    void eachWayOfNotGettingASessionHasItsOwnKindAndAdvice() {
        assertThat(ConnectFailure.of(new AuthenticationFailedException("535 5.7.8 bad credentials")))
                .satisfies(f -> assertThat(f.kind()).isEqualTo(ConnectFailure.Kind.AUTHENTICATION))
                .satisfies(f -> assertThat(f.advice()).contains("SPRING_MAIL_PASSWORD"));
        assertThat(ConnectFailure.of(new MessagingException(
                        "Could not convert socket to TLS", new SSLHandshakeException("no cipher"))))
                .satisfies(f -> assertThat(f.kind()).isEqualTo(ConnectFailure.Kind.TLS_HANDSHAKE));
        assertThat(ConnectFailure.of(new MessagingException("STARTTLS is required but host does not support STARTTLS")))
                .satisfies(f -> assertThat(f.kind()).isEqualTo(ConnectFailure.Kind.TLS_NOT_OFFERED))
                .satisfies(f -> assertThat(f.advice()).contains("smtps"));
        assertThat(ConnectFailure.of(
                        new MessagingException("Couldn't connect to host", new ConnectException("Connection refused"))))
                .satisfies(f -> assertThat(f.kind()).isEqualTo(ConnectFailure.Kind.UNREACHABLE))
                .satisfies(f -> assertThat(f.advice()).contains("SPRING_MAIL_HOST"));
        assertThat(ConnectFailure.of(new MessagingException("554 5.3.2 no service for you")))
                .satisfies(f -> assertThat(f.kind()).isEqualTo(ConnectFailure.Kind.REFUSED))
                .satisfies(f -> assertThat(f.reason()).contains("554 5.3.2"));
    }
}
