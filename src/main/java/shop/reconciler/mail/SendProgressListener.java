package shop.reconciler.mail;

import java.util.Locale;
import java.util.stream.Stream;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.progress.StepProgressLog;

/**
 * The send step's progress: notifications read, sent, refused, failed, left for later, not tried, uncertain, per
 * second, and where each one's time went ({@link SendTimes}), so that a slow run points at the mail
 * server or at the database.
 */
class SendProgressListener extends StepProgressLog {

    /** {@link MailTransport#handOver()}: what the first of the two times is called. */
    private final String handOver;

    SendProgressListener(String handOver) {
        super(Stream.concat(SendCounters.ALL.stream(), SendTimes.ALL.stream()).toList());
        this.handOver = handOver;
    }

    @Override
    protected String line(StepExecution step, double seconds) {
        ExecutionContext context = step.getExecutionContext();
        long sent = StepCounters.get(context, SendCounters.SENT);
        long refused = StepCounters.get(context, SendCounters.REFUSED);
        long failed = StepCounters.get(context, SendCounters.FAILED);
        long retryLater = StepCounters.get(context, SendCounters.RETRY_LATER);
        String line = String.format(
                Locale.ROOT,
                "read %d; sent %d, refused %d, failed %d, retry later %d, not connected %d, claimed elsewhere %d,"
                        + " uncertain %d; %.0f emails/s",
                step.getReadCount(),
                sent,
                refused,
                failed,
                retryLater,
                StepCounters.get(context, SendCounters.NOT_CONNECTED),
                StepCounters.get(context, SendCounters.CLAIMED_ELSEWHERE),
                StepCounters.get(context, SendCounters.UNCERTAIN),
                sent / seconds);
        long handled = sent + refused + failed + retryLater;
        if (handled == 0) {
            return line;
        }
        return line
                + String.format(
                        Locale.ROOT,
                        "; per email: %s %.2f ms, record %.2f ms",
                        handOver,
                        perEmailMillis(context, SendTimes.SMTP_MICROS, handled),
                        perEmailMillis(context, SendTimes.RECORD_MICROS, handled));
    }

    private static double perEmailMillis(ExecutionContext context, String key, long handled) {
        return StepCounters.get(context, key) / 1000.0 / handled;
    }
}
