package shop.reconciler.mail;

import java.util.List;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import shop.reconciler.progress.StepCounters;

/**
 * Where the send step's time per email goes, for its progress line: the conversation with the
 * SMTP server and the database's record of the result, so that a slow run points at the mail
 * server or at the database. Summed in the step's execution context, in microseconds.
 */
public final class SendTimes {

    /** Time on the SMTP conversation, less what it waited for the previous record. */
    public static final String SMTP_MICROS = "send.smtpMicros";

    /** Time the results' statements took (most of it while the next message's conversation ran). */
    public static final String RECORD_MICROS = "send.recordMicros";

    static final List<String> ALL = List.of(SMTP_MICROS, RECORD_MICROS);

    private final ExecutionContext context;

    SendTimes(ExecutionContext context) {
        this.context = context;
    }

    void handOver(long nanos) {
        StepCounters.add(context, SMTP_MICROS, nanos / 1000);
    }

    void recorded(long nanos) {
        StepCounters.add(context, RECORD_MICROS, nanos / 1000);
    }
}
