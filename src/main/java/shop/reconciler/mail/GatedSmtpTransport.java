package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus Mail's SMTP transport, holding back each message's end of data (the {@code .} after
 * {@code DATA}, or the last {@code BDAT} chunk: the point where the server takes the message) until
 * a {@link HandOverGate} lets it through. {@code MAIL FROM}, {@code RCPT TO}, {@code DATA} and the
 * content go out before that, so their round trips overlap whatever the gate waits for.
 *
 * <p>When the gate refuses, it throws an {@link IOException}, on which the transport drops the
 * connection without another word: a server takes no message whose data did not end (RFC 5321,
 * 4.1.1.4), so nothing is delivered.
 */
final class GatedSmtpTransport extends SMTPTransport {

    private HandOverGate gate = HandOverGate.OPEN;

    GatedSmtpTransport(Session session, String protocol) {
        super(session, new URLName(protocol, null, -1, null, null, null), protocol, "smtps".equals(protocol));
    }

    /** Sends {@code message} to its recipients; delivery waits for {@code gate}. */
    synchronized void send(MimeMessage message, HandOverGate gate) throws MessagingException {
        this.gate = gate;
        try {
            sendMessage(message, message.getAllRecipients());
        } finally {
            this.gate = HandOverGate.OPEN;
        }
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        gate.await();
        super.finishData();
    }

    @Override
    protected void finishBdat() throws IOException, MessagingException {
        gate.await();
        super.finishBdat();
    }
}
