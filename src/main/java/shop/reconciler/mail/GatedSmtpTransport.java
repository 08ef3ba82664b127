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

    /**
     * The connections' deadline checks, and their write time-outs' ({@link WriteTimeouts}); a check
     * cancelled (a connection closed) is removed at once.
     */
    static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

    private final SocketWatch watch;
    private final Duration endOfDataTimeout;
    private final Duration sendDeadline;
    private volatile boolean endOfDataSent;
    private volatile String deadlinePassed;
    private volatile String heldBack;
    private MailTransport.EndOfData endOfData = () -> true;

    /** Guards the deadline below and the check that watches it (the deadline thread takes it too). */
    private final Object deadlineLock = new Object();

    // guarded by deadlineLock
    private boolean deadlineSet;
    private long deadlineAt;
    private String deadlineKey;
    private ScheduledFuture<?> check;
    private long checkAt;
    private long checks;

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
        cutOffAfter(sendDeadline, "reconciler.mail.send-deadline");
        try {
            sendMessage(message, message.getAllRecipients());
        } finally {
            noDeadline();
            endOfData = () -> true;
        }
    }

    /** Connects (the greeting, EHLO, STARTTLS, AUTH) within the same deadline as a message. */
    synchronized void open(String host, int port, String user, String password) throws MessagingException {
        deadlinePassed = null;
        cutOffAfter(sendDeadline, "reconciler.mail.send-deadline");
        try {
            connect(host, port, user, password);
        } catch (MessagingException e) {
            if (deadlinePassed != null) {
                throw new MessagingException(deadlinePassed + " passed while connecting", e);
            }
            throw e;
        } finally {
            noDeadline();
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
        int timeout = watch.replyTimeout(Math.toIntExact(Math.min(Integer.MAX_VALUE, endOfDataTimeout.toMillis())));
        cutOffAfter(endOfDataTimeout, "reconciler.mail.end-of-data-timeout");
        endOfDataSent = true;
        try {
            end.run();
        } finally {
            noDeadline();
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

    /**
     * From now on the connection is cut when {@code limit} passes (and {@code key} says which
     * deadline it was), until {@link #noDeadline()}. A deadline is a field, not a task per
     * message: the connection's one check is scheduled again only when it would come too late
     * (a shorter deadline than the one it waits for), and when it comes early (the deadline it
     * waited for was lifted and a later one set), it schedules itself for the deadline of the
     * moment. So a message costs no task to schedule and cancel, and the deadline thread wakes
     * about once per deadline's length per connection, not twice per message.
     */
    private void cutOffAfter(Duration limit, String key) {
        long now = System.nanoTime();
        long at = now + limit.toNanos();
        synchronized (deadlineLock) {
            deadlineSet = true;
            deadlineAt = at;
            deadlineKey = key;
            if (check == null || check.isDone() || checkAt - at > 0) {
                if (check != null) {
                    check.cancel(false);
                }
                arm(at, now);
            }
        }
    }

    /** The message (or connecting) ended within its deadline. */
    private void noDeadline() {
        synchronized (deadlineLock) {
            deadlineSet = false;
        }
    }

    // with deadlineLock held
    private void arm(long at, long now) {
        checkAt = at;
        long armed = ++checks;
        check = DEADLINES.schedule(() -> checkDeadline(armed), at - now, TimeUnit.NANOSECONDS);
    }

    /** On the deadline thread: cuts the connection when the deadline of the moment has passed. */
    private void checkDeadline(long armed) {
        synchronized (deadlineLock) {
            if (armed != checks) {
                // replaced by a check for a shorter deadline after it had started
                return;
            }
            if (!deadlineSet) {
                // between two messages: the next one arms a check if this was the last
                check = null;
                return;
            }
            long now = System.nanoTime();
            if (now - deadlineAt < 0) {
                arm(deadlineAt, now);
                return;
            }
            check = null;
            deadlinePassed = deadlineKey;
        }
        watch.cut();
    }

    /** Also lets go of the connection's deadline check, which would keep it in the deadline queue. */
    @Override
    public synchronized void close() throws MessagingException {
        try {
            super.close();
        } finally {
            synchronized (deadlineLock) {
                deadlineSet = false;
                if (check != null) {
                    check.cancel(false);
                    check = null;
                }
            }
        }
    }
}
