package shop.reconciler.notify;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/** Where composed emails go: an SMTP server, or a directory of .eml files for the demo. */
public interface MailOutbox {

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
        void send(MimeMessage message) throws MessagingException;

        @Override
        void close();
    }
}
