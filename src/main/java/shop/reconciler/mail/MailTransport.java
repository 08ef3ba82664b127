package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/**
 * Where composed emails go: an SMTP server, or a directory of .eml files for the demo. (The
 * outbox is the table the emails wait in; this is how they leave.)
 */
public interface MailTransport {

    Session session();

    /** Opens one connection, to be reused for the messages of a chunk. */
    Connection open() throws MessagingException;

    /** A short description for logs: {@code smtp://host:port} or the directory. */
    String describe();

    /** A run's send step begins: what the log says once per run is said again. */
    default void startRun() {}

    /** What handing a message over is called in the send step's progress lines. */
    default String handOver() {
        return "SMTP";
    }

    /** The send loop's word before a message's end of data goes out. */
    interface EndOfData {
        /** Waits until the records that must precede the end of data are durable; whether it may go out. */
        boolean mayEnd();

        /**
         * Asks {@link #mayEnd()}: null when the end of data may go out, else {@code heldBack}, with
         * the failure's message when the records failed.
         */
        default String refusal(String heldBack) {
            try {
                return mayEnd() ? null : heldBack;
            } catch (RuntimeException e) {
                return heldBack + ": " + e.getMessage();
            }
        }

        /**
         * For a transport without a hook at the end of data, asked before the message is handed
         * over at all: null when it may be, else the {@link Delivery.Outcome#HELD_BACK} delivery.
         */
        default Delivery beforeHandOver() {
            String refused = refusal("held back before the message was handed over");
            return refused == null ? null : Delivery.heldBack(refused);
        }
    }

    interface Connection extends AutoCloseable {

        /**
         * Hands one message over and says what became of it; a failure to deliver is a result,
         * not an exception. The caller records whatever must be durable before the receiver may
         * take the message (the attempt, the result before it) before it calls this. After any
         * outcome but {@link Delivery.Outcome#SENT} and {@link Delivery.Outcome#REFUSED} the
         * connection is closed and a new one is needed.
         */
        Delivery deliver(MimeMessage message);

        /**
         * Hands one message over as {@link #deliver(MimeMessage)} does, but lets the caller record
         * while the conversation runs: {@code endOfData} is asked just before the server may take
         * the message (the end of data) and waits until what must be durable first is; when it
         * says no, or fails, the message is not finished (the connection is dropped without the end
         * of data) and the delivery is {@link Delivery.Outcome#HELD_BACK}. It may not be asked at
         * all, when the conversation fails before. This default asks before the conversation begins.
         */
        default Delivery deliver(MimeMessage message, EndOfData endOfData) {
            Delivery heldBack = endOfData.beforeHandOver();
            return heldBack != null ? heldBack : deliver(message);
        }

        /** How the connection is protected, in words ({@code STARTTLS, certificate verified}), or null when it does not apply. */
        default String security() {
            return null;
        }

        /** Whether the connection can take the next message. */
        boolean isOpen();

        @Override
        void close();
    }
}
