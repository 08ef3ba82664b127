package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.net.ConnectException;
import java.util.Set;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * Sends over SMTP with the server of Spring Boot's {@code spring.mail.*} keys, holding one
 * connection open per chunk so that each message costs one SMTP transaction, not one connection.
 * For {@code smtp} and {@code smtps} it uses {@link GatedSmtpTransport}, which lets a message's
 * conversation run up to its end of data while the previous result is still being recorded.
 */
public class SmtpTransport implements MailTransport {

    private static final Set<String> GATED = Set.of("smtp", "smtps");

    private static final String NOT_CONFIGURED = "no SMTP server configured: set spring.mail.host (SPRING_MAIL_HOST)";

    private final JavaMailSenderImpl sender;

    /** @param sender Spring Boot's sender, or null when {@code spring.mail.host} is not set */
    public SmtpTransport(JavaMailSenderImpl sender) {
        this.sender = sender == null ? unconfigured() : sender;
    }

    private static JavaMailSenderImpl unconfigured() {
        JavaMailSenderImpl none = new JavaMailSenderImpl();
        none.setHost(null);
        return none;
    }

    public boolean isConfigured() {
        return sender.getHost() != null && !sender.getHost().isBlank();
    }

    @Override
    public Session session() {
        return sender.getSession();
    }

    @Override
    public Connection open() throws MessagingException {
        if (!isConfigured()) {
            throw new MessagingException(NOT_CONFIGURED, new ConnectException(NOT_CONFIGURED));
        }
        String protocol = sender.getProtocol() == null ? "smtp" : sender.getProtocol();
        Transport transport = GATED.contains(protocol)
                ? new GatedSmtpTransport(sender.getSession(), protocol)
                : sender.getSession().getTransport(protocol);
        transport.connect(sender.getHost(), sender.getPort(), sender.getUsername(), sender.getPassword());
        return new Connection() {
            @Override
            public void send(MimeMessage message, HandOverGate gate) throws MessagingException {
                if (transport instanceof GatedSmtpTransport gated) {
                    gated.send(message, gate);
                    return;
                }
                // another provider: no hook before the end of data, so the whole send waits
                gate.awaitBeforeSending(message.getMessageID());
                transport.sendMessage(message, message.getAllRecipients());
            }

            @Override
            public void close() {
                try {
                    transport.close();
                } catch (MessagingException ignored) {
                    // The connection is being dropped anyway; a refused QUIT changes nothing.
                }
            }
        };
    }

    @Override
    public String describe() {
        if (!isConfigured()) {
            return "(no SMTP server configured)";
        }
        return (sender.getProtocol() == null ? "smtp" : sender.getProtocol()) + "://" + sender.getHost() + ":"
                + (sender.getPort() > 0 ? sender.getPort() : 25);
    }
}
