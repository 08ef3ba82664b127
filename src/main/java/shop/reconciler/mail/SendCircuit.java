package shop.reconciler.mail;

/**
 * Opened by the sender when the SMTP server cannot be reached at all: the reader then stops, and
 * what is left stays {@code queued} for the next run instead of costing every notification its
 * retries and an attempt.
 */
class SendCircuit {

    private volatile String reason;

    void open(String reason) {
        this.reason = reason;
    }

    boolean isOpen() {
        return reason != null;
    }

    String reason() {
        return reason;
    }
}
