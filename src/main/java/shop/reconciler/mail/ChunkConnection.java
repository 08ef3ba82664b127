package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * The one connection a send chunk uses, opened on the first delivery and again after a failure
 * closed it. A connection that cannot be opened is a delivery result too:
 * {@link Delivery.Outcome#UNREACHABLE} (nothing was sent).
 */
final class ChunkConnection implements AutoCloseable {

    private final MailTransport transport;
    private MailTransport.Connection connection;

    ChunkConnection(MailTransport transport) {
        this.transport = transport;
    }

    Delivery deliver(MimeMessage message, HandOverGate gate) {
        if (connection == null || !connection.isOpen()) {
            try {
                connection = transport.open();
            } catch (MessagingException e) {
                connection = null;
                return new Delivery(
                        Delivery.Outcome.UNREACHABLE, SendFailure.of(e).reason());
            }
        }
        return connection.deliver(message, gate);
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
