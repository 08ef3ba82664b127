package shop.reconciler.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.SmtpFaultProxy;

/**
 * The outbox's hold on each message's end of data, against a real SMTP server: the envelope and
 * the content go out while the gate is closed, the server takes the message only once the gate
 * opens, and a message whose gate refuses is never delivered.
 */
class SmtpTransportIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @BeforeEach
    void emptyMailboxes() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
    }

    @Test
    void theEnvelopeGoesOutAtOnceButTheServerTakesTheMessageOnlyOnceTheGateOpens() throws Exception {
        // given: a gate that stays closed until the test opens it
        SmtpFaultProxy proxy = SmtpFaultProxy.in(SMTP);
        SmtpTransport outbox = outbox(proxy.port());
        CountDownLatch open = new CountDownLatch(1);
        HandOverGate gate = () -> {
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HandOverGate.NotRecorded("interrupted", e);
            }
        };
        try (MailTransport.Connection connection = outbox.open()) {
            // when
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    connection.send(message(outbox, "held@example.com", "held"), gate);
                } catch (MessagingException e) {
                    throw new IllegalStateException(e);
                }
            });

            // then: MAIL FROM and RCPT TO reached the server, the end of data did not, nothing is delivered
            awaitUntil(() -> proxy.recipientCommands("held@example.com") == 1, proxy);
            Thread.sleep(300);
            assertThat(proxy.dataEnds()).describedAs(proxy.transcript()).isZero();
            assertThat(SMTP.getReceivedMessages()).isEmpty();
            assertThat(sending).isNotDone();

            // when the gate opens, the message is delivered
            open.countDown();
            sending.get(10, TimeUnit.SECONDS);
            assertThat(proxy.dataEnds()).isEqualTo(1);
            assertThat(subjects()).containsExactly("held");
        } finally {
            proxy.close();
        }
    }

    @Test
    void aMessageWhoseGateRefusesIsNeverDeliveredAndTheNextConnectionSendsOn() throws Exception {
        // given: straight to the server, which alone decides what it delivers
        SmtpTransport outbox = outbox(SMTP.getSmtp().getPort());
        HandOverGate refuses = () -> {
            throw new HandOverGate.NotRecorded("the previous result was not recorded: disk full", null);
        };
        MessagingException refused;
        try (MailTransport.Connection connection = outbox.open()) {
            connection.send(message(outbox, "first@example.com", "first"), HandOverGate.OPEN);

            // when
            refused = catchThrowableOfType(
                    MessagingException.class,
                    () -> connection.send(message(outbox, "second@example.com", "second"), refuses));
        }
        try (MailTransport.Connection next = outbox.open()) {
            next.send(message(outbox, "third@example.com", "third"), HandOverGate.OPEN);
        }

        // then: the held message was dropped with its connection; the others arrived
        assertThat(refused).isNotNull();
        assertThat(causes(refused)).anyMatch(HandOverGate.NotRecorded.class::isInstance);
        assertThat(SMTP.waitForIncomingEmail(5_000, 2)).isTrue();
        Thread.sleep(500);
        assertThat(subjects()).containsExactly("first", "third");
    }

    private static SmtpTransport outbox(int port) {
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("127.0.0.1");
        sender.setPort(port);
        return new SmtpTransport(sender);
    }

    private static MimeMessage message(SmtpTransport outbox, String to, String subject) throws MessagingException {
        MimeMessage message = new MimeMessage(outbox.session());
        message.setFrom(new InternetAddress("shop@example.com"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText("body of " + subject + "\r\n.\r\nnot the end\r\n");
        return message;
    }

    private static List<String> subjects() {
        return Arrays.stream(SMTP.getReceivedMessages())
                .map(m -> {
                    try {
                        return m.getSubject();
                    } catch (MessagingException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && chain.size() < 10; ) {
            chain.add(t);
            t = t instanceof MessagingException m && m.getNextException() != null ? m.getNextException() : t.getCause();
        }
        return chain;
    }

    private static void awaitUntil(BooleanSupplier condition, SmtpFaultProxy proxy) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).describedAs(proxy.transcript()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
