package shop.reconciler.mail;

import java.util.List;

/** The keys of the send step's counts (see {@link shop.reconciler.StepCounters}). */
public final class SendCounters {

    public static final String SENT = "send.sent";
    public static final String FAILED = "send.failed";
    public static final String RETRY_LATER = "send.retryLater";
    public static final String CLAIMED_ELSEWHERE = "send.claimedElsewhere";

    /** Deliveries whose outcome is unknown (the server may have the message). */
    public static final String UNCERTAIN = "send.uncertain";

    /** Time spent composing, on the SMTP conversation, and recording results, in microseconds. */
    public static final String COMPOSE_MICROS = "send.composeMicros";

    public static final String SMTP_MICROS = "send.smtpMicros";
    public static final String RECORD_MICROS = "send.recordMicros";

    /**
     * Of the record time, what the sending waited for: each record runs while the next message's
     * SMTP conversation goes on, and only that message's end of data waits for it.
     */
    public static final String RECORD_WAIT_MICROS = "send.recordWaitMicros";

    public static final List<String> ALL = List.of(
            SENT,
            FAILED,
            RETRY_LATER,
            CLAIMED_ELSEWHERE,
            UNCERTAIN,
            COMPOSE_MICROS,
            SMTP_MICROS,
            RECORD_MICROS,
            RECORD_WAIT_MICROS);

    private SendCounters() {}
}
