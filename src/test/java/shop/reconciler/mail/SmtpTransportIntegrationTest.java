package shop.reconciler.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static shop.reconciler.config.ReconcilerPropertiesBuilder.properties;

import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.SmtpFaultProxy;

/**
 * The SMTP connection against a real SMTP server: each message's reply and conversation bounded in
 * time, whether the server may have a message it did not confirm, and the end of data waiting for
 * the send loop's word. (That the send loop gives it only once the result before it is recorded is
 * tested by SendOrderIntegrationTest.)
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
    void theReplyToTheEndOfDataWaitsItsOwnTimeoutNotTheCommandTimeout() throws Exception {
        // given: a server that takes 1.5 s to accept a message; every other reply may take 0.5 s
        SmtpFaultProxy proxy = SmtpFaultProxy.in(SMTP).delayEachMessage(Duration.ofMillis(1500));
        SmtpTransport transport = outbox(proxy.port(), Duration.ofSeconds(20), Duration.ofMinutes(1), 500);
        try (MailTransport.Connection connection = transport.open()) {
            // when
            Delivery delivery = connection.deliver(message(transport, "slow@example.com", "slow"));

            // then
            assertThat(delivery).describedAs(proxy.transcript()).isEqualTo(Delivery.SENT);
            assertThat(subjects()).containsExactly("slow");
        } finally {
            proxy.close();
        }
    }

    @Test
    void aReplyToTheEndOfDataThatNeverComesIsAnUncertainDelivery() throws Exception {
        // given: the server takes the message, its reply never reaches the client
        SmtpFaultProxy proxy = SmtpFaultProxy.in(SMTP).failDataEnd(SmtpFaultProxy.DataEndFault.STALL_AFTER_FORWARD);
        SmtpTransport transport = outbox(proxy.port(), Duration.ofSeconds(1), Duration.ofMinutes(1), 30_000);
        try (MailTransport.Connection connection = transport.open()) {
            // when
            long started = System.nanoTime();
            Delivery delivery = connection.deliver(message(transport, "stalled@example.com", "stalled"));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            // then: given up after the end-of-data time-out (not mail.smtp.timeout's 30 s), uncertain
            assertThat(delivery.outcome()).describedAs(proxy.transcript()).isEqualTo(Delivery.Outcome.UNCERTAIN);
            assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(15));
            assertThat(connection.isOpen()).isFalse();
            assertThat(subjects()).containsExactly("stalled");
        } finally {
            proxy.close();
        }
    }

    @Test
    void aConnectionDroppedRightAfterTheEndOfDataIsAnUncertainDeliveryAndOneBeforeItIsNot() throws Exception {
        // given
        SmtpFaultProxy proxy = SmtpFaultProxy.in(SMTP)
                .failDataEnd(SmtpFaultProxy.DataEndFault.DROP_AFTER_FORWARD)
                .refuseMailFrom(0, "451 4.3.0 try again later");
        SmtpTransport transport = outbox(proxy.port(), Duration.ofSeconds(5), Duration.ofMinutes(1), 5_000);
        Delivery dropped;
        Delivery refusedNow;
        Delivery refusedForGood;
        try (MailTransport.Connection connection = transport.open()) {
            // when
            dropped = connection.deliver(message(transport, "dropped@example.com", "dropped"));
        }
        proxy.refuseMailFrom(1, "451 4.3.0 try again later");
        try (MailTransport.Connection connection = transport.open()) {
            refusedNow = connection.deliver(message(transport, "later@example.com", "later"));
        }
        proxy.rejectRecipient("nosuch@example.com", "550 5.1.1 no such user");
        try (MailTransport.Connection connection = transport.open()) {
            refusedForGood = connection.deliver(message(transport, "nosuch@example.com", "never"));
        } finally {
            proxy.close();
        }

        // then
        assertThat(dropped.outcome()).isEqualTo(Delivery.Outcome.UNCERTAIN);
        assertThat(refusedNow.outcome()).isEqualTo(Delivery.Outcome.TRANSIENT);
        assertThat(refusedNow.reason()).contains("451 4.3.0");
        assertThat(refusedForGood.outcome()).isEqualTo(Delivery.Outcome.REFUSED);
        assertThat(refusedForGood.reason()).contains("550 5.1.1");
        assertThat(subjects()).containsExactly("dropped");
    }

    @Test
    void theEndOfDataWaitsForTheSendLoopsWordAndAMessageHeldBackThereIsNeverDelivered() throws Exception {
        // given: a send loop that records while the conversation runs
        SmtpFaultProxy proxy = SmtpFaultProxy.in(SMTP);
        SmtpTransport transport = outbox(proxy.port(), Duration.ofSeconds(5), Duration.ofMinutes(1), 5_000);
        Delivery waited;
        Delivery refused;
        Delivery failed;
        Delivery after;
        long[] askedAt = new long[1];
        try (MailTransport.Connection connection = transport.open()) {
            // when: the word comes after 300 ms; then a no; then a record that fails
            waited = connection.deliver(message(transport, "waited@example.com", "waited"), () -> {
                askedAt[0] = System.nanoTime();
                sleep(300);
                return true;
            });
            refused = connection.deliver(message(transport, "refused@example.com", "refused"), () -> false);
        }
        try (MailTransport.Connection connection = transport.open()) {
            failed = connection.deliver(message(transport, "failed@example.com", "failed"), () -> {
                throw new IllegalStateException("the database refused the record");
            });
            assertThat(connection.isOpen()).isFalse();
        }
        try (MailTransport.Connection connection = transport.open()) {
            after = connection.deliver(message(transport, "after@example.com", "after"), () -> true);
        } finally {
            proxy.close();
        }

        // then: the message went out once the word came; the two held back were not delivered,
        // their end of data never sent, and the connection after them works
        assertThat(waited).describedAs(proxy.transcript()).isEqualTo(Delivery.SENT);
        assertThat(proxy.mailFromNanos().get(0))
                .describedAs("MAIL FROM went out before the word was asked for")
                .isLessThan(askedAt[0]);
        assertThat(refused.outcome()).describedAs(proxy.transcript()).isEqualTo(Delivery.Outcome.HELD_BACK);
        assertThat(failed.outcome()).describedAs(proxy.transcript()).isEqualTo(Delivery.Outcome.HELD_BACK);
        assertThat(failed.reason()).contains("the database refused the record");
        assertThat(after).isEqualTo(Delivery.SENT);
        assertThat(proxy.dataEnds()).describedAs(proxy.transcript()).isEqualTo(2);
        assertThat(subjects()).containsExactly("waited", "after");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aServerThatTricklesItsRepliesIsCutOffAtTheSendDeadline() throws Exception {
        // given: after the greeting and EHLO, every reply comes one byte every 400 ms, never
        // slow enough for the 5 s read time-out
        SmtpFaultProxy proxy = SmtpFaultProxy.in(SMTP).trickleReplies(Duration.ofMillis(400), true);
        SmtpTransport transport = outbox(proxy.port(), Duration.ofSeconds(5), Duration.ofSeconds(2), 5_000);
        try (MailTransport.Connection connection = transport.open()) {
            // when
            long started = System.nanoTime();
            Delivery delivery = connection.deliver(message(transport, "trickle@example.com", "trickle"));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            // then: given up at the deadline, nothing delivered
            assertThat(delivery.outcome()).describedAs(proxy.transcript()).isEqualTo(Delivery.Outcome.TRANSIENT);
            assertThat(delivery.reason()).contains("reconciler.mail.send-deadline");
            assertThat(took).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(10));
            assertThat(proxy.dataEnds()).isZero();
            assertThat(SMTP.getReceivedMessages()).isEmpty();
        } finally {
            proxy.close();
        }
    }

    @Test
    void aServerThatStopsReadingInTheMiddleOfAMessageIsCutOffAtTheWriteTimeout() throws Exception {
        // given: a server that answers up to DATA and then reads nothing more, a message larger than
        // what the sockets' buffers hold, a write time-out of 500 ms and a send deadline of a minute
        try (StalledReader server = new StalledReader()) {
            SmtpTransport writeBounded =
                    outbox(server.port(), Duration.ofMinutes(1), Duration.ofMinutes(1), 30_000, 500);
            MimeMessage large = message(writeBounded, "large@example.com", "large");
            large.setText(("y".repeat(78) + "\r\n").repeat(200_000));
            try (MailTransport.Connection connection = writeBounded.open()) {
                // when
                long started = System.nanoTime();
                Delivery delivery = connection.deliver(large);
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                // then: given up at the write time-out, long before the send deadline; nothing delivered
                assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.TRANSIENT);
                assertThat(delivery.reason()).containsIgnoringCase("write timed out");
                assertThat(took).isBetween(Duration.ofMillis(450), Duration.ofSeconds(20));
                assertThat(connection.isOpen()).isFalse();
                assertThat(server.dataReceived()).isTrue();
            }
        }
    }

    @Test
    void connectingToAServerThatTricklesItsGreetingIsCutOffAtTheSendDeadline() {
        // given
        SmtpFaultProxy proxy = SmtpFaultProxy.in(SMTP).trickleReplies(Duration.ofMillis(400), false);
        SmtpTransport transport = outbox(proxy.port(), Duration.ofSeconds(5), Duration.ofSeconds(2), 5_000);
        try {
            // when
            long started = System.nanoTime();
            MessagingException e = catchThrowableOfType(MessagingException.class, transport::open);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            // then
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("reconciler.mail.send-deadline");
            assertThat(took).isLessThan(Duration.ofSeconds(10));
        } finally {
            proxy.close();
        }
    }

    @Test
    void withRequireTlsNothingGoesToAServerWithoutStartTls() throws Exception {
        // given: GreenMail offers no STARTTLS
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("127.0.0.1");
        sender.setPort(SMTP.getSmtp().getPort());
        SmtpTransport transport = new SmtpTransport(sender, mail(Duration.ofMinutes(10), Duration.ofMinutes(5), true));

        // when
        MessagingException e = catchThrowableOfType(MessagingException.class, transport::open);

        // then
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).containsIgnoringCase("STARTTLS");
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    @Test
    void aStartTlsHandshakeThatFailsIsFollowedByAConnectionInClearUnlessTlsIsRequired() throws Exception {
        // given: a server that offers STARTTLS and then answers it with bytes that are no TLS
        SmtpFaultProxy proxy = SmtpFaultProxy.in(SMTP).breakStartTls();
        SmtpTransport opportunistic = outbox(proxy.port());
        JavaMailSenderImpl strict = new JavaMailSenderImpl();
        strict.setHost("127.0.0.1");
        strict.setPort(proxy.port());
        SmtpTransport required = new SmtpTransport(strict, mail(Duration.ofMinutes(10), Duration.ofMinutes(5), true));
        try {
            // when
            Delivery delivery;
            String security;
            try (MailTransport.Connection connection = opportunistic.open()) {
                security = connection.security();
                delivery = connection.deliver(message(opportunistic, "clear@example.com", "clear"));
            }
            MessagingException refused = catchThrowableOfType(MessagingException.class, required::open);

            // then: without require-tls the mail went in clear on a second connection; with it, nothing
            assertThat(delivery).describedAs(proxy.transcript()).isEqualTo(Delivery.SENT);
            assertThat(security).startsWith("in clear: the STARTTLS handshake failed");
            assertThat(proxy.startTlsCommands()).isEqualTo(2);
            assertThat(subjects()).containsExactly("clear");
            assertThat(refused).isNotNull();
            assertThat(ConnectFailure.of(refused).kind()).isEqualTo(ConnectFailure.Kind.TLS_HANDSHAKE);
        } finally {
            proxy.close();
        }
    }

    @Test
    void smtpsGetsTheTimeoutsOfSmtpAndStartTlsIsUsedWhenOffered() {
        // given
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("127.0.0.1");
        sender.getJavaMailProperties().put("mail.smtp.timeout", "1234");
        sender.getJavaMailProperties().put("mail.smtp.connectiontimeout", "2345");

        // when
        new SmtpTransport(sender, mail(Duration.ofMinutes(10), Duration.ofMinutes(5), false));

        // then
        assertThat(sender.getJavaMailProperties())
                .containsEntry("mail.smtps.timeout", "1234")
                .containsEntry("mail.smtps.connectiontimeout", "2345")
                .containsEntry("mail.smtp.starttls.enable", "true")
                .doesNotContainKey("mail.smtp.starttls.required");
    }

    private static SmtpTransport outbox(int port) {
        return outbox(port, Duration.ofMinutes(10), Duration.ofMinutes(5), 30_000);
    }

    private static SmtpTransport outbox(int port, Duration endOfDataTimeout, Duration sendDeadline, int timeoutMillis) {
        return outbox(port, endOfDataTimeout, sendDeadline, timeoutMillis, 0);
    }

    /** @param writeTimeoutMillis {@code mail.smtp.writetimeout}, none when 0 */
    private static SmtpTransport outbox(
            int port, Duration endOfDataTimeout, Duration sendDeadline, int timeoutMillis, int writeTimeoutMillis) {
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("127.0.0.1");
        sender.setPort(port);
        sender.getJavaMailProperties().put("mail.smtp.timeout", String.valueOf(timeoutMillis));
        if (writeTimeoutMillis > 0) {
            sender.getJavaMailProperties().put("mail.smtp.writetimeout", String.valueOf(writeTimeoutMillis));
        }
        return new SmtpTransport(sender, mail(endOfDataTimeout, sendDeadline, false));
    }

    /**
     * An SMTP server that answers the greeting, EHLO, MAIL, RCPT and DATA of one connection, then
     * reads nothing more, with a receive buffer as small as the system allows.
     */
    private static final class StalledReader implements AutoCloseable {
        private final ServerSocket server;
        private final Thread thread;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile boolean dataReceived;

        StalledReader() throws IOException {
            server = new ServerSocket();
            server.setReceiveBufferSize(4096);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(this::serve, "stalled-reader");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        boolean dataReceived() {
            return dataReceived;
        }

        private void serve() {
            try (Socket socket = server.accept()) {
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
                out.write("220 stalled ESMTP\r\n");
                out.flush();
                String line;
                while ((line = in.readLine()) != null) {
                    String command = line.toUpperCase(Locale.ROOT);
                    if (command.startsWith("DATA")) {
                        out.write("354 go ahead\r\n");
                        out.flush();
                        dataReceived = true;
                        done.await();
                        return;
                    }
                    out.write(command.startsWith("QUIT") ? "221 bye\r\n" : "250 ok\r\n");
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed by the test
            }
        }

        @Override
        public void close() throws IOException {
            done.countDown();
            server.close();
        }
    }

    static ReconcilerProperties.Mail mail(Duration endOfDataTimeout, Duration sendDeadline, boolean requireTls) {
        return properties()
                .set("mail.message-id-domain", "order-reconciler.local")
                .set("mail.end-of-data-timeout", endOfDataTimeout)
                .set("mail.send-deadline", sendDeadline)
                .set("mail.require-tls", requireTls)
                .mail();
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

    private static void awaitUntil(BooleanSupplier condition, SmtpFaultProxy proxy) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).describedAs(proxy.transcript()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
