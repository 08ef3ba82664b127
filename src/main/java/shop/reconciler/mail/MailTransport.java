package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/** Where composed emails go: an SMTP server, or a directory of .eml files for the demo. */
public interface MailTransport {

    Session session();

    /** Opens one connection, to be reused for the messages of a chunk. */
    Connection open() throws MessagingException;

    /** A short description for logs: {@code smtp://host:port} or the directory. */
    String describe();

    /** What handing a message over is called in the send step's progress lines. */
    default String handOver() {
        return "SMTP";
    }

    interface Connection extends AutoCloseable {

        /**
         * Hands one message over. Everything that does not yet deliver it (for SMTP: the envelope,
         * {@code DATA} and the content) may happen at once; the step that makes the receiver take it
         * (the end of data) waits for {@code gate} first, and when the gate refuses, the message is
         * abandoned undelivered (the connection is dropped mid-{@code DATA}) and this throws.
         */
        void send(MimeMessage message, HandOverGate gate) throws MessagingException;

        @Override
        void close();
    }
}
