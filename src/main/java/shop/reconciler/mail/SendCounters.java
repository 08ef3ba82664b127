package shop.reconciler.mail;

import java.util.List;

/**
 * The keys of the send step's counts (see {@link shop.reconciler.progress.StepCounters}), each thing counted
 * apart: a notification ends one run in exactly one of sent, refused, failed, retry later or not
 * connected (or is claimed elsewhere).
 */
public final class SendCounters {

    /** Accepted by the SMTP server (its 2xx to the end of data): the step's write count. */
    public static final String SENT = "send.sent";

    /** Refused for good by the server (5xx): {@code failed} with its reply. */
    public static final String REFUSED = "send.refused";

    /** {@code failed} without a refusal: attempts used up, two deliveries of unknown outcome, not composable. */
    public static final String FAILED = "send.failed";

    /** Tried, not delivered (4xx, a dropped connection): {@code queued} for a later run, an attempt spent. */
    public static final String RETRY_LATER = "send.retryLater";

    /** Not tried: no usable connection to the server (unreachable, TLS or AUTH refused); no attempt spent. */
    public static final String NOT_CONNECTED = "send.notConnected";

    public static final String CLAIMED_ELSEWHERE = "send.claimedElsewhere";

    /** Deliveries whose outcome is unknown (the server may have the message). */
    public static final String UNCERTAIN = "send.uncertain";

    /** Notifications {@code queued} when the step ended (not a sum over the run: a count at its end). */
    public static final String LEFT_QUEUED = "send.leftQueued";

    /** Why the server could not be used in this run (a string), when it could not. */
    public static final String SMTP_PROBLEM = "send.smtpProblem";

    public static final List<String> ALL =
            List.of(SENT, REFUSED, FAILED, RETRY_LATER, NOT_CONNECTED, CLAIMED_ELSEWHERE, UNCERTAIN, LEFT_QUEUED);

    private SendCounters() {}
}
