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

    public static final List<String> ALL = List.of(SENT, FAILED, RETRY_LATER, CLAIMED_ELSEWHERE, UNCERTAIN);

    private SendCounters() {}
}
