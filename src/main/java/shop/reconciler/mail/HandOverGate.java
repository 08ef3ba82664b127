package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import java.io.IOException;

/**
 * What must hold before a message may be delivered: in the send step, that the previous message's
 * result is durable in the database (see {@link ResultRecorder}). Awaited by the outbox right
 * before the point of delivery, so that the message's own SMTP conversation overlaps the wait.
 */
@FunctionalInterface
interface HandOverGate {

    HandOverGate OPEN = () -> {};

    /**
     * Returns once delivery may go ahead.
     *
     * @throws NotRecorded when it may not: the message must be abandoned undelivered
     */
    void await() throws NotRecorded;

    /**
     * {@link #await()} for an outbox with no hook before its point of delivery: a refusal as the
     * failed send of {@code what}, with the refusal in its chain.
     */
    default void awaitBeforeSending(String what) throws MessagingException {
        try {
            await();
        } catch (NotRecorded e) {
            throw new MessagingException(what + " not sent: " + e.getMessage(), e);
        }
    }

    /** The previous result could not be recorded (or the wait was interrupted): deliver nothing more. */
    final class NotRecorded extends IOException {
        NotRecorded(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
