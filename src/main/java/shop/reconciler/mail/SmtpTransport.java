package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import shop.reconciler.ReconcilerProperties;

/**
 * Sends over SMTP with the server of Spring Boot's {@code spring.mail.*} keys, holding one
 * connection open per chunk so that each message costs one SMTP transaction, not one connection.
 * For {@code smtp} and {@code smtps} it uses {@link GatedSmtpTransport}, which lets a message's
 * conversation run up to its end of data while the previous result is still being recorded, and
 * bounds every message in time.
 *
 * <p>Settings it adds to Spring Boot's session, unless {@code spring.mail.properties} sets them:
 *
 * <ul>
 *   <li>{@code mail.smtp.starttls.enable=true}: STARTTLS whenever the server offers it;
 *   <li>with {@code reconciler.mail.require-tls}, {@code mail.smtp.starttls.required=true}: over
 *       {@code smtp} without STARTTLS nothing is sent, neither credentials nor mail;
 *   <li>the {@code mail.smtps.*} time-outs from the {@code mail.smtp.*} ones, which Angus Mail
 *       would not apply to {@code smtps}.
 * </ul>
 */
public class SmtpTransport implements MailTransport {

    private static final Set<String> GATED = Set.of("smtp", "smtps");

    private static final List<String> TIMEOUTS = List.of("connectiontimeout", "timeout", "writetimeout");

    private static final String NOT_CONFIGURED = "no SMTP server configured: set spring.mail.host (SPRING_MAIL_HOST)";

    private final JavaMailSenderImpl sender;
    private final Duration endOfDataTimeout;
    private final Duration sendDeadline;

    /** @param sender Spring Boot's sender, or null when {@code spring.mail.host} is not set */
    public SmtpTransport(JavaMailSenderImpl sender, ReconcilerProperties.Mail mail) {
        this.sender = sender == null ? unconfigured() : sender;
        this.endOfDataTimeout = mail.endOfDataTimeout();
        this.sendDeadline = mail.sendDeadline();
        secure(this.sender, mail.requireTls());
    }

    private static JavaMailSenderImpl unconfigured() {
        JavaMailSenderImpl none = new JavaMailSenderImpl();
        none.setHost(null);
        return none;
    }

    private static void secure(JavaMailSenderImpl sender, boolean requireTls) {
        Properties properties = new Properties();
        properties.putAll(sender.getJavaMailProperties());
        properties.putIfAbsent("mail.smtp.starttls.enable", "true");
        if (requireTls) {
            properties.put("mail.smtp.starttls.required", "true");
        }
        for (String timeout : TIMEOUTS) {
            Object smtp = properties.get("mail.smtp." + timeout);
            if (smtp != null) {
                properties.putIfAbsent("mail.smtps." + timeout, smtp);
            }
        }
        sender.setJavaMailProperties(properties);
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
                ? new GatedSmtpTransport(sender.getSession(), protocol, endOfDataTimeout, sendDeadline)
                : sender.getSession().getTransport(protocol);
        transport.connect(sender.getHost(), sender.getPort(), sender.getUsername(), sender.getPassword());
        return new Connection() {
            private boolean open = true;

            @Override
            public Delivery deliver(MimeMessage message, HandOverGate gate) {
                if (transport instanceof GatedSmtpTransport gated) {
                    try {
                        gated.send(message, gate);
                        return Delivery.SENT;
                    } catch (MessagingException e) {
                        close();
                        if (gated.heldBack() != null) {
                            return Delivery.heldBack(gated.heldBack());
                        }
                        Delivery failed = SendFailure.of(e).delivery(gated.endOfDataSent());
                        return gated.deadlinePassed() == null
                                ? failed
                                : new Delivery(
                                        failed.outcome(), gated.deadlinePassed() + " passed: " + failed.reason());
                    }
                }
                // another provider: no hook before the end of data, so the whole send waits, and
                // a failure without a definite reply may have delivered the message
                String refusal = gate.await();
                if (refusal != null) {
                    return Delivery.heldBack(refusal);
                }
                try {
                    transport.sendMessage(message, message.getAllRecipients());
                    return Delivery.SENT;
                } catch (MessagingException e) {
                    close();
                    return SendFailure.of(e).delivery(true);
                }
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                open = false;
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
