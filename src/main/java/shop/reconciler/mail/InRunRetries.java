package shop.reconciler.mail;

import java.time.Duration;

/**
 * The send step's retry policy within one run: after a transient failure (or one uncertain
 * delivery) a message is tried again at once on a fresh connection, up to
 * {@code reconciler.mail.retries} times, after a pause of {@code reconciler.mail.retry-backoff}
 * doubled for each next one. Later runs try again until {@code reconciler.mail.max-attempts}.
 *
 * <p>Spring's {@code RetryTemplate} retries on exceptions; a delivery here returns its outcome, so
 * this small policy decides on that instead.
 */
record InRunRetries(int retries, Duration backoff) {

    /** Whether a message already tried {@code tries} times in this run may be tried again. */
    boolean allowsAnotherAfter(int tries) {
        return tries <= retries;
    }

    /** The pause before try number {@code tries + 1} (the first retry after one try). */
    Duration pauseAfter(int tries) {
        return backoff.multipliedBy(1L << Math.min(30, tries - 1));
    }
}
