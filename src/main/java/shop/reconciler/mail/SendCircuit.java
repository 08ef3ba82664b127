package shop.reconciler.mail;

/**
 * Opened by the sender when the SMTP server cannot be reached at all: the reader then stops, and
 * what is left stays {@code queued} for the next run instead of costing every notification its
 * retries and an attempt.
 */
class SendCircuit {

    private volatile boolean open;

    void open() {
        open = true;
    }

    boolean isOpen() {
        return open;
    }
}
