package shop.reconciler.mail;

/**
 * What became of one message handed to a {@link MailTransport.Connection}: the delivery returns
 * this instead of throwing, and the send loop decides on it.
 *
 * @param reason the server's reply or the error, one line; null when sent
 * @param throttled whether the server said to slow down (421, 454, or a 4xx with an enhanced code
 *     4.7.x): a {@link Outcome#TRANSIENT} failure after which the whole send loop pauses
 */
record Delivery(Outcome outcome, String reason, boolean throttled) {

    Delivery(Outcome outcome, String reason) {
        this(outcome, reason, false);
    }

    enum Outcome {
        /** The server answered 2xx to the end of data: it has the message. */
        SENT,
        /** The server answered 5xx (to a recipient or to the message): trying again gets the same answer. */
        REFUSED,
        /** Definitely not delivered (a 4xx, or a failure before the end of data went out): may be tried again. */
        TRANSIENT,
        /**
         * The end of data went out but no definite reply came back (a time-out, a dropped
         * connection, a deadline): the server may have the message.
         */
        UNCERTAIN,
        /**
         * No usable connection to the server (nothing answers, or it refused the session, TLS with
         * {@code require-tls}, or AUTH): nothing was handed over.
         */
        UNREACHABLE,
        /** Not delivered on purpose: its claim is gone, or the sender was interrupted before it began. */
        HELD_BACK
    }

    static final Delivery SENT = new Delivery(Outcome.SENT, null);

    static Delivery heldBack(String reason) {
        return new Delivery(Outcome.HELD_BACK, reason);
    }

    /** Whether the server may have taken the message although the outcome is not {@link Outcome#SENT}. */
    boolean uncertain() {
        return outcome == Outcome.UNCERTAIN;
    }
}
