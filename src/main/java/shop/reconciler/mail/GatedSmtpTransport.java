package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Angus Mail's SMTP transport, with three things around each message's end of data (the {@code .}
 * after {@code DATA}, or the last {@code BDAT} chunk: the point where the server takes the
 * message).
 *
 * <ol>
 *   <li>The end of data waits until a {@link HandOverGate} lets it through. {@code MAIL FROM},
 *       {@code RCPT TO}, {@code DATA} and the content go out before that, so their round trips
 *       overlap whatever the gate waits for. When the gate refuses, the transport is told so the
 *       only way Angus Mail listens to, an {@link IOException}, on which it drops the connection
 *       without another word: a server takes no message whose data did not end (RFC 5321,
 *       4.1.1.4), so nothing is delivered. {@link #heldBack()} then says why.
 *   <li>The reply to the end of data is awaited for {@code endOfDataTimeout} (RFC 5321,
 *       4.5.3.2.6, asks for 10 minutes: the server may be checking the message), not for
 *       {@code mail.smtp.timeout}, which stays the limit of every other reply.
 *   <li>Each message has deadlines for the whole of its conversation, however the server
 *       trickles its replies: {@code sendDeadline} up to the end of data, {@code endOfDataTimeout}
 *       for the reply to it; connecting has {@code sendDeadline} too. When one passes, the connection is closed under the transport, and
 *       the send fails. {@link #endOfDataSent()} says whether the server may have the message.
 * </ol>
 */
final class GatedSmtpTransport extends SMTPTransport {

    private static final Logger log = LoggerFactory.getLogger(GatedSmtpTransport.class);

    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "smtp-deadline");
        t.setDaemon(true);
        return t;
    });

    /** Angus Mail's connection, for the reply's own time-out and the deadline. */
    private static final Field SOCKET = socketField();

    private final Duration endOfDataTimeout;
    private final Duration sendDeadline;
    private HandOverGate gate = HandOverGate.OPEN;
    private volatile String heldBack;
    private volatile boolean endOfDataSent;
    private volatile String deadlinePassed;
    private ScheduledFuture<?> cutOff;

    GatedSmtpTransport(Session session, String protocol, Duration endOfDataTimeout, Duration sendDeadline) {
        super(session, new URLName(protocol, null, -1, null, null, null), protocol, "smtps".equals(protocol));
        this.endOfDataTimeout = endOfDataTimeout;
        this.sendDeadline = sendDeadline;
    }

    /**
     * Sends {@code message} to its recipients; delivery waits for {@code gate}.
     *
     * @throws MessagingException when it was not delivered, or may have been ({@link #endOfDataSent()})
     */
    synchronized void send(MimeMessage message, HandOverGate gate) throws MessagingException {
        this.gate = gate;
        heldBack = null;
        endOfDataSent = false;
        deadlinePassed = null;
        cutOff = cutOffAfter(sendDeadline, "reconciler.mail.send-deadline");
        try {
            sendMessage(message, message.getAllRecipients());
        } finally {
            cutOff.cancel(false);
            this.gate = HandOverGate.OPEN;
        }
    }

    /** Connecting (the greeting, EHLO, STARTTLS, AUTH) has the same deadline as a message. */
    @Override
    protected synchronized boolean protocolConnect(String host, int port, String user, String password)
            throws MessagingException {
        deadlinePassed = null;
        ScheduledFuture<?> connecting = cutOffAfter(sendDeadline, "reconciler.mail.send-deadline");
        try {
            return super.protocolConnect(host, port, user, password);
        } catch (MessagingException e) {
            if (deadlinePassed != null) {
                throw new MessagingException(deadlinePassed + " passed while connecting", e);
            }
            throw e;
        } finally {
            connecting.cancel(false);
        }
    }

    /** Why the gate held the last message back, or null when it did not. */
    String heldBack() {
        return heldBack;
    }

    /** Whether the last message's end of data was written: from then on the server may have it. */
    boolean endOfDataSent() {
        return endOfDataSent;
    }

    /** The key of the deadline that cut the last message off, or null. */
    String deadlinePassed() {
        return deadlinePassed;
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        awaitGate();
        awaitReply(super::finishData);
    }

    @Override
    protected void finishBdat() throws IOException, MessagingException {
        awaitGate();
        awaitReply(super::finishBdat);
    }

    private void awaitGate() throws IOException {
        // the wait for the database is not the server's time
        cutOff.cancel(false);
        String refusal = gate.await();
        if (refusal != null) {
            heldBack = refusal;
            throw new IOException("held back: " + refusal);
        }
    }

    private interface EndOfData {
        void run() throws IOException, MessagingException;
    }

    private void awaitReply(EndOfData endOfData) throws IOException, MessagingException {
        Socket socket = socket();
        int timeout = -1;
        if (socket != null) {
            try {
                timeout = socket.getSoTimeout();
                socket.setSoTimeout(Math.toIntExact(Math.min(Integer.MAX_VALUE, endOfDataTimeout.toMillis())));
            } catch (SocketException e) {
                timeout = -1;
            }
        }
        cutOff = cutOffAfter(endOfDataTimeout, "reconciler.mail.end-of-data-timeout");
        endOfDataSent = true;
        try {
            endOfData.run();
        } finally {
            cutOff.cancel(false);
            if (socket != null && timeout >= 0) {
                try {
                    socket.setSoTimeout(timeout);
                } catch (SocketException ignored) {
                    // the connection is gone; the next message opens another
                }
            }
        }
    }

    private ScheduledFuture<?> cutOffAfter(Duration limit, String key) {
        return DEADLINES.schedule(
                () -> {
                    deadlinePassed = key;
                    Socket socket = socket();
                    if (socket != null) {
                        try {
                            socket.close();
                        } catch (IOException ignored) {
                            // closed anyway
                        }
                    }
                },
                limit.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private Socket socket() {
        if (SOCKET == null) {
            return null;
        }
        try {
            return (Socket) SOCKET.get(this);
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    private static Field socketField() {
        try {
            Field field = SMTPTransport.class.getDeclaredField("serverSocket");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn(
                    "this Angus Mail has no serverSocket field ({}): the reply to the end of data waits"
                            + " mail.smtp.timeout, and no deadline cuts a slow server off",
                    e.toString());
            return null;
        }
    }
}
