package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * One SMTP connection of a send chunk (one per {@code reconciler.mail.connections}), opened before the first delivery ({@link #connect()}) and
 * again after a failure closed it. A connection that cannot be opened (no server, TLS or AUTH
 * refused) is a delivery result too: {@link Delivery.Outcome#UNREACHABLE}, nothing was sent.
 */
final class ChunkConnection implements AutoCloseable {

    private final MailTransport transport;
    private MailTransport.Connection connection;

    ChunkConnection(MailTransport transport) {
        this.transport = transport;
    }

    /**
     * Opens the connection unless it is open: null when it is usable, else an
     * {@link Delivery.Outcome#UNREACHABLE} delivery that says why ({@link ConnectFailure}).
     */
    Delivery connect() {
        ConnectFailure failure = open();
        return failure == null ? null : new Delivery(Delivery.Outcome.UNREACHABLE, failure.describe());
    }

    /** Delivers over the open connection, or a new one (an in-run retry's, its attempt charged already). */
    Delivery deliver(MimeMessage message) {
        return deliver(message, () -> true);
    }

    /** Delivers as {@link #deliver(MimeMessage)}, the end of data waiting for {@code endOfData}'s word. */
    Delivery deliver(MimeMessage message, MailTransport.EndOfData endOfData) {
        ConnectFailure failure = open();
        if (failure != null) {
            return new Delivery(Delivery.Outcome.UNREACHABLE, failure.what() + ": " + failure.reason());
        }
        return connection.deliver(message, endOfData);
    }

    private ConnectFailure open() {
        if (connection != null && connection.isOpen()) {
            return null;
        }
        try {
            connection = transport.open();
            return null;
        } catch (MessagingException | RuntimeException e) {
            connection = null;
            return ConnectFailure.of(e);
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
