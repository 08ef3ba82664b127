package shop.reconciler.mail;

/**
 * What must hold before a message may be delivered: in the send step, that every result before it
 * is durable in the database and that its own attempt is recorded (see {@link ResultRecorder}).
 * Awaited by the transport right before the point of delivery, so that the message's own SMTP
 * conversation overlaps the wait.
 */
@FunctionalInterface
interface HandOverGate {

    HandOverGate OPEN = () -> null;

    /**
     * Waits until delivery may go ahead or may not.
     *
     * @return null when it may; otherwise why not, and the message must be abandoned undelivered
     */
    String await();
}
