package shop.reconciler.mail;

import jakarta.mail.AuthenticationFailedException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.eclipse.angus.mail.util.MailConnectException;

/**
 * Why no usable connection to the SMTP server could be made (connecting, the greeting, EHLO,
 * STARTTLS, AUTH): nothing was handed over, so no notification is charged an attempt for it. It
 * names the problem and what an operator does about it ({@code check}, the last error of the
 * notifications that wait).
 */
public record ConnectFailure(Kind kind, String reason) {

    public enum Kind {
        /** Nothing answers: no server, wrong host or port, a firewall, a server not answering in time. */
        UNREACHABLE,
        /** {@code reconciler.mail.require-tls}, and the server offers no STARTTLS. */
        TLS_NOT_OFFERED,
        /** The server's certificate could not be verified (only with {@code require-tls} is this a failure). */
        CERTIFICATE,
        /** The TLS handshake itself failed (no common protocol or cipher, a broken TLS server). */
        TLS_HANDSHAKE,
        /** The server refused the user name or password. */
        AUTHENTICATION,
        /** The server answered, but refused the session (a 4xx or 5xx greeting or EHLO). */
        REFUSED
    }

    /** What the failure of connecting, or of verifying a certificate, amounts to. */
    public static ConnectFailure of(Throwable e) {
        String reason = reason(e);
        for (Throwable t = e; t != null; t = SendFailure.next(t)) {
            if (t instanceof AuthenticationFailedException) {
                return new ConnectFailure(Kind.AUTHENTICATION, reason);
            }
            if (t instanceof CertificateException || t instanceof SSLPeerUnverifiedException) {
                return new ConnectFailure(Kind.CERTIFICATE, reason);
            }
        }
        for (Throwable t = e; t != null; t = SendFailure.next(t)) {
            if (t instanceof SSLException) {
                return new ConnectFailure(Kind.TLS_HANDSHAKE, reason);
            }
            if (t.getMessage() != null && t.getMessage().contains("STARTTLS is required")) {
                return new ConnectFailure(Kind.TLS_NOT_OFFERED, reason);
            }
            if (t instanceof MailConnectException
                    || t instanceof ConnectException
                    || t instanceof NoRouteToHostException
                    || t instanceof UnknownHostException
                    || t instanceof SocketTimeoutException
                    || (t.getMessage() != null
                            && (t.getMessage().contains("passed while connecting")
                                    || t.getMessage().contains("no SMTP server configured")))) {
                return new ConnectFailure(Kind.UNREACHABLE, reason);
            }
        }
        return new ConnectFailure(Kind.REFUSED, reason);
    }

    /** One line for a notification's last error: the problem, then the server's or the library's words. */
    public String describe() {
        return bounded(what() + ": " + reason + "; nothing was sent and no attempt is charged");
    }

    /** The problem in a few words. */
    public String what() {
        return switch (kind) {
            case UNREACHABLE -> "SMTP server unreachable";
            case TLS_NOT_OFFERED -> "SMTP server offers no STARTTLS and reconciler.mail.require-tls is set";
            case CERTIFICATE -> "SMTP server's TLS certificate not trusted (reconciler.mail.require-tls)";
            case TLS_HANDSHAKE -> "TLS handshake with the SMTP server failed";
            case AUTHENTICATION -> "SMTP server refused the user name or password";
            case REFUSED -> "SMTP server refused the session";
        };
    }

    /** What an operator does about it, for {@code check}. */
    public String advice() {
        return switch (kind) {
            case UNREACHABLE -> "set SPRING_MAIL_HOST and SPRING_MAIL_PORT to a reachable SMTP server";
            case TLS_NOT_OFFERED ->
                "enable STARTTLS on the server, use implicit TLS (spring.mail.protocol=smtps, usually port 465),"
                        + " or turn reconciler.mail.require-tls off to send in clear";
            case CERTIFICATE ->
                "a certificate problem: with reconciler.mail.require-tls the server's certificate must be valid for"
                        + " the host name in SPRING_MAIL_HOST and trusted: add its CA to the JVM's trust store, or"
                        + " name an SSL bundle that trusts it in spring.mail.ssl.bundle (spring.ssl.bundle.*);"
                        + " without require-tls it is used unverified (opportunistic TLS)";
            case TLS_HANDSHAKE ->
                "check the server's TLS set-up and spring.mail.properties.mail.smtp.ssl.protocols;"
                        + " without require-tls the mail goes in clear after a failed STARTTLS handshake";
            case AUTHENTICATION -> "check SPRING_MAIL_USERNAME and SPRING_MAIL_PASSWORD";
            case REFUSED -> "check the server's log: it refused this client's session";
        };
    }

    /** The failure's messages, outermost first, each once, in one line. */
    static String reason(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null && text.length() < 600; t = SendFailure.next(t)) {
            if (t.getMessage() == null) {
                continue;
            }
            String folded = EmailComposer.oneLine(t.getMessage(), 300);
            if (!text.toString().contains(folded)) {
                if (!text.isEmpty()) {
                    text.append(" / ");
                }
                text.append(folded);
            }
        }
        return text.isEmpty() ? e.getClass().getSimpleName() : bounded(text.toString());
    }

    private static String bounded(String text) {
        return text.length() <= 1000 ? text : text.substring(0, 1000);
    }
}
