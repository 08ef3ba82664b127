package shop.reconciler.notify;

import java.util.List;

/** The keys of the send step's counts (see {@link shop.reconciler.StepCounters}). */
public final class SendCounters {

    public static final String SENT = "send.sent";
    public static final String FAILED = "send.failed";
    public static final String RETRY_LATER = "send.retryLater";
    public static final String CLAIMED_ELSEWHERE = "send.claimedElsewhere";

    public static final List<String> ALL = List.of(SENT, FAILED, RETRY_LATER, CLAIMED_ELSEWHERE);

    private SendCounters() {}
}
