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
import java.util.concurrent.atomic.AtomicReference;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import shop.reconciler.config.ReconcilerProperties;

/**
 * Sends over SMTP with the server of Spring Boot's {@code spring.mail.*} keys, holding one
 * connection open per chunk so that each message costs one SMTP transaction, not one connection.
 * For {@code smtp} and {@code smtps} it uses {@link GatedSmtpTransport}, which bounds every
 * message in time and says whether the server may have a message it did not confirm.
 *
 * <p>TLS, in one of two modes:
 *
 * <ul>
 *   <li>by default, opportunistic (RFC 7435, as MTAs do it): STARTTLS whenever the server offers
 *       it ({@code mail.smtp.starttls.enable=true}); a certificate that cannot be verified leaves
 *       the connection encrypted without authentication ({@link OpportunisticTls}), and a STARTTLS
 *       handshake that fails is followed by a connection in clear. Neither stops the mail;
 *   <li>with {@code reconciler.mail.require-tls}, {@code mail.smtp.starttls.required=true}, and
 *       the certificate verified by Angus Mail as configured (the JVM's trust store, or the SSL
 *       bundle Spring Boot installs for {@code spring.mail.ssl.bundle}; the host name too): over
 *       {@code smtp} without STARTTLS, or with a certificate it cannot verify, nothing is sent,
 *       neither credentials nor mail.
 * </ul>
 *
 * Which one a connection got is logged once per run (and again when it changes), and told to
 * {@code check}. It also sets the {@code mail.smtps.*} time-outs from the {@code mail.smtp.*} ones,
 * which Angus Mail would not apply to {@code smtps}. Settings of {@code spring.mail.properties} win.
 */
public class SmtpTransport implements MailTransport {

    private static final Logger log = LoggerFactory.getLogger(SmtpTransport.class);

    private static final Set<String> GATED = Set.of("smtp", "smtps");

    private static final List<String> TIMEOUTS = List.of("connectiontimeout", "timeout", "writetimeout");

    private static final String NOT_CONFIGURED = "no SMTP server configured: set spring.mail.host (SPRING_MAIL_HOST)";

    private final JavaMailSenderImpl sender;
    private final Duration endOfDataTimeout;
    private final Duration sendDeadline;

    /** With {@code require-tls} the certificate is verified by Angus Mail's own settings instead. */
    private final boolean requireTls;

    private final SslBundle bundle;

    /** Loaded at the first connection (the trust store), not by commands that send nothing. */
    private volatile OpportunisticTls opportunistic;

    /** What the log said last about a connection's security in this run. */
    private final AtomicReference<String> securityLogged = new AtomicReference<>();

    /** @param sender Spring Boot's sender, or null when {@code spring.mail.host} is not set */
    public SmtpTransport(JavaMailSenderImpl sender, ReconcilerProperties.Mail mail) {
        this(sender, mail, null);
    }

    /**
     * @param sender Spring Boot's sender, or null when {@code spring.mail.host} is not set
     * @param bundle the SSL bundle of {@code spring.mail.ssl.bundle}, or null: what verifies the
     *     server's certificate instead of the JVM's trust store
     */
    public SmtpTransport(JavaMailSenderImpl sender, ReconcilerProperties.Mail mail, SslBundle bundle) {
        this.sender = sender == null ? unconfigured() : sender;
        this.endOfDataTimeout = mail.endOfDataTimeout();
        this.sendDeadline = mail.sendDeadline();
        secure(this.sender, mail.requireTls());
        this.requireTls = mail.requireTls();
        this.bundle = bundle;
    }

    /** Loaded once: the connections of a chunk open at the same moment, and each would read the trust store. */
    private OpportunisticTls opportunistic() {
        OpportunisticTls tls = opportunistic;
        if (tls == null) {
            synchronized (this) {
                tls = opportunistic;
                if (tls == null) {
                    tls = OpportunisticTls.of(bundle);
                    opportunistic = tls;
                }
            }
        }
        return tls;
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
    public void startRun() {
        securityLogged.set(null);
    }

    private String protocol() {
        return sender.getProtocol() == null ? "smtp" : sender.getProtocol();
    }

    /** Whether the connection is TLS from its first byte (smtps, or {@code mail.smtp.ssl.enable}). */
    private boolean implicitTls(String protocol) {
        return "smtps".equals(protocol)
                || Boolean.parseBoolean(
                        String.valueOf(sender.getJavaMailProperties().get("mail." + protocol + ".ssl.enable")));
    }

    @Override
    public Connection open() throws MessagingException {
        if (!isConfigured()) {
            throw new MessagingException(NOT_CONFIGURED, new ConnectException(NOT_CONFIGURED));
        }
        String protocol = protocol();
        if (!GATED.contains(protocol)) {
            Transport transport = sender.getSession().getTransport(protocol);
            transport.connect(sender.getHost(), sender.getPort(), sender.getUsername(), sender.getPassword());
            return connection(transport, null);
        }
        OpportunisticTls.Handshake handshake =
                requireTls ? null : opportunistic().handshake();
        GatedSmtpTransport transport = gated(protocol, handshake);
        String clear = null;
        try {
            transport.open(sender.getHost(), sender.getPort(), sender.getUsername(), sender.getPassword());
        } catch (MessagingException e) {
            ConnectFailure failure = ConnectFailure.of(e);
            if (handshake == null || implicitTls(protocol) || failure.kind() != ConnectFailure.Kind.TLS_HANDSHAKE) {
                throw e;
            }
            // opportunistic: a server whose STARTTLS handshake fails gets the mail in clear
            clear = "in clear: the STARTTLS handshake failed (" + failure.reason() + ")";
            transport = gated(protocol, handshake);
            transport.setStartTLS(false);
            transport.open(sender.getHost(), sender.getPort(), sender.getUsername(), sender.getPassword());
        }
        return connection(transport, security(transport, protocol, handshake, clear));
    }

    /**
     * A transport on a session of its own, whose socket factories (Angus Mail's documented
     * {@code mail.<protocol>.socketFactory} and {@code mail.<protocol>.ssl.socketFactory}
     * properties) are a {@link SocketWatch}'s: over the factory set in {@code spring.mail.properties}
     * if any, and over the TLS handshake's factory that says what it verified when TLS is
     * opportunistic. A write time-out ({@code mail.<protocol>.writetimeout}) is kept by a
     * {@link WriteTimeouts} (Angus Mail's documented {@code mail.<protocol>.executor.writetimeout}),
     * unless {@code spring.mail.properties} names an executor of its own.
     */
    private GatedSmtpTransport gated(String protocol, OpportunisticTls.Handshake handshake) {
        SocketWatch watch = new SocketWatch();
        Properties properties = new Properties();
        properties.putAll(sender.getJavaMailProperties());
        String plainKey = "mail." + protocol + ".socketFactory";
        Object plain = properties.get(plainKey);
        if (plain == null || plain instanceof SocketFactory) {
            properties.put(plainKey, watch.plain((SocketFactory) plain));
        }
        String tlsKey = "mail." + protocol + ".ssl.socketFactory";
        Object tls = handshake == null ? properties.get(tlsKey) : handshake.socketFactory();
        if (tls instanceof SSLSocketFactory factory) {
            properties.put(tlsKey, watch.tls(factory));
        }
        String executorKey = "mail." + protocol + ".executor.writetimeout";
        if (properties.get("mail." + protocol + ".writetimeout") != null && !properties.containsKey(executorKey)) {
            properties.put(executorKey, new WriteTimeouts(GatedSmtpTransport.DEADLINES));
        }
        return new GatedSmtpTransport(Session.getInstance(properties), protocol, watch, endOfDataTimeout, sendDeadline);
    }

    /** How this connection is protected, in words, logged when it differs from what this run logged last. */
    private String security(
            GatedSmtpTransport transport, String protocol, OpportunisticTls.Handshake handshake, String clear) {
        String tls = implicitTls(protocol) ? "TLS" : "STARTTLS";
        boolean warn = true;
        String security;
        if (clear != null) {
            security = clear;
        } else if (!transport.isSSL()) {
            security = transport.getStartTLS()
                    ? "in clear: the server offers no STARTTLS"
                    : "in clear: STARTTLS is turned off (mail." + protocol + ".starttls.enable)";
        } else if (handshake != null && handshake.unverified() != null) {
            security = tls + ", certificate not verified (" + handshake.unverified()
                    + "): encrypted, but the server is not authenticated (opportunistic TLS)";
        } else {
            security = tls + ", certificate verified";
            warn = false;
        }
        if (!security.equals(securityLogged.getAndSet(security))) {
            if (warn) {
                log.warn("SMTP server {}: {}", describe(), security);
            } else {
                log.info("SMTP server {}: {}", describe(), security);
            }
        }
        return security;
    }

    private static Connection connection(Transport transport, String security) {
        return new Connection() {
            private boolean open = true;

            @Override
            public String security() {
                return security;
            }

            @Override
            public Delivery deliver(MimeMessage message) {
                return deliver(message, () -> true);
            }

            @Override
            public Delivery deliver(MimeMessage message, EndOfData endOfData) {
                if (transport instanceof GatedSmtpTransport gated) {
                    try {
                        gated.send(message, endOfData);
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
                // another provider: no hook at the end of data, so a failure without a definite
                // reply may have delivered the message, and the records are awaited before it begins
                Delivery heldBack = endOfData.beforeHandOver();
                if (heldBack != null) {
                    return heldBack;
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
