package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus Mail's SMTP transport, each message bounded in time, and the point where the server may
 * take it (the end of data: the {@code .} after {@code DATA}, or the last {@code BDAT} chunk) known.
 *
 * <ol>
 *   <li>The connection's socket comes from the factories of a {@link SocketWatch}, installed
 *       through Angus Mail's documented session properties ({@code mail.<protocol>.socketFactory},
 *       {@code mail.<protocol>.ssl.socketFactory}).
 *   <li>{@link #finishData()} and {@link #finishBdat()}, the transport's documented hooks for
 *       subclasses, first wait for the send loop's word ({@link MailTransport.EndOfData}): the
 *       records that must be durable before the server may take the message (the result before it
 *       on this connection, the mark that this one is in flight) are committed while the
 *       conversation runs, and the end of data waits for that commit. When the word is no (the
 *       claim is gone) or the record failed, the socket is closed without the end of data, so the
 *       server has nothing to take ({@link #heldBack()}). Then they note that the end of data goes
 *       out ({@link #endOfDataSent()}: from then on the server may have the message) and give its
 *       reply {@code endOfDataTimeout} (RFC 5321, 4.5.3.2.6, asks for 10 minutes: the server may
 *       be checking the message) instead of {@code mail.smtp.timeout}, which stays the limit of
 *       every other reply.
 *   <li>Each message has deadlines for the whole of its conversation, however the server
 *       trickles its replies: {@code sendDeadline} up to the end of data, {@code endOfDataTimeout}
 *       for the reply to it; connecting has {@code sendDeadline} too. When one passes, the watch
 *       closes the socket under the transport, and the send fails.
 * </ol>
 *
 * A library upgrade that stopped calling these hooks would make {@link #endOfDataSent()} stay
 * false after a message the server took; SmtpTransportIntegrationTest's dropped-after-the-end-of-data
 * case fails then, so the build says so.
 */
final class GatedSmtpTransport extends SMTPTransport {

    /** Two deadlines a message, nearly all cancelled: removed at once, not left queued until they pass. */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

    private final SocketWatch watch;
    private final Duration endOfDataTimeout;
    private final Duration sendDeadline;
    private volatile boolean endOfDataSent;
    private volatile String deadlinePassed;
    private volatile String heldBack;
    private ScheduledFuture<?> cutOff;
    private MailTransport.EndOfData endOfData = () -> true;

    /** @param session a session of this connection's own, whose socket factories are {@code watch}'s */
    GatedSmtpTransport(
            Session session, String protocol, SocketWatch watch, Duration endOfDataTimeout, Duration sendDeadline) {
        super(session, new URLName(protocol, null, -1, null, null, null), protocol, "smtps".equals(protocol));
        this.watch = watch;
        this.endOfDataTimeout = endOfDataTimeout;
        this.sendDeadline = sendDeadline;
    }

    /**
     * Sends {@code message} to its recipients; {@code gate} is asked before the end of data goes
     * out, and when it says no (or fails) the connection is dropped without it ({@link #heldBack()}).
     *
     * @throws MessagingException when it was not delivered, or may have been ({@link #endOfDataSent()})
     */
    synchronized void send(MimeMessage message, MailTransport.EndOfData gate) throws MessagingException {
        endOfDataSent = false;
        deadlinePassed = null;
        heldBack = null;
        endOfData = gate;
        cutOff = cutOffAfter(sendDeadline, "reconciler.mail.send-deadline");
        try {
            sendMessage(message, message.getAllRecipients());
        } finally {
            cutOff.cancel(false);
            endOfData = () -> true;
        }
    }

    /** Connects (the greeting, EHLO, STARTTLS, AUTH) within the same deadline as a message. */
    synchronized void open(String host, int port, String user, String password) throws MessagingException {
        deadlinePassed = null;
        ScheduledFuture<?> connecting = cutOffAfter(sendDeadline, "reconciler.mail.send-deadline");
        try {
            connect(host, port, user, password);
        } catch (MessagingException e) {
            if (deadlinePassed != null) {
                throw new MessagingException(deadlinePassed + " passed while connecting", e);
            }
            throw e;
        } finally {
            connecting.cancel(false);
        }
    }

    /** Whether the last message's end of data was written: from then on the server may have it. */
    boolean endOfDataSent() {
        return endOfDataSent;
    }

    /** Why the last message was held back before its end of data (the connection dropped), or null. */
    String heldBack() {
        return heldBack;
    }

    /** The key of the deadline that cut the last message off, or null. */
    String deadlinePassed() {
        return deadlinePassed;
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        awaitReply(super::finishData);
    }

    @Override
    protected void finishBdat() throws IOException, MessagingException {
        awaitReply(super::finishBdat);
    }

    private interface Finish {
        void run() throws IOException, MessagingException;
    }

    private void awaitReply(Finish end) throws IOException, MessagingException {
        // still under the send deadline: the records the end of data waits for are part of the message's time
        String refused = endOfData.refusal("the send loop held the message back before its end of data");
        if (refused != null) {
            // dropped without the end of data: the server discards what it got of the message
            heldBack = refused;
            watch.cut();
            throw new MessagingException(refused, new IOException(refused));
        }
        if (deadlinePassed != null) {
            // cut while waiting: a failure before the end of data, nothing delivered
            String passed = deadlinePassed + " passed before the end of data";
            throw new MessagingException(passed, new IOException(passed));
        }
        cutOff.cancel(false);
        int timeout = watch.replyTimeout(Math.toIntExact(Math.min(Integer.MAX_VALUE, endOfDataTimeout.toMillis())));
        cutOff = cutOffAfter(endOfDataTimeout, "reconciler.mail.end-of-data-timeout");
        endOfDataSent = true;
        try {
            end.run();
        } finally {
            cutOff.cancel(false);
            if (timeout >= 0) {
                watch.replyTimeout(timeout);
            }
        }
    }

    private static ScheduledThreadPoolExecutor deadlines() {
        ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "smtp-deadline");
            t.setDaemon(true);
            return t;
        });
        deadlines.setRemoveOnCancelPolicy(true);
        return deadlines;
    }

    private ScheduledFuture<?> cutOffAfter(Duration limit, String key) {
        return DEADLINES.schedule(
                () -> {
                    deadlinePassed = key;
                    watch.cut();
                },
                limit.toMillis(),
                TimeUnit.MILLISECONDS);
    }
}
