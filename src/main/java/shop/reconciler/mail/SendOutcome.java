package shop.reconciler.mail;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.dao.DataAccessException;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.progress.StepCounters;

/**
 * Makes the send step's record in the job repository say what happened to the emails.
 *
 * <ol>
 *   <li>Its {@code WRITE_COUNT} is the messages the SMTP server accepted ({@link SendCounters#SENT}),
 *       not the notifications the step processed: set after each chunk and, finally, when it ends.
 *   <li>When it ends, the notifications still {@code queued} ({@link SendCounters#LEFT_QUEUED}), and,
 *       when anything but sending happened, its exit message the counts kept apart: sent, refused,
 *       failed, retry later, not connected, uncertain, left queued.
 *   <li>At its start, the transport is told that a run begins (what it logs once per run).
 * </ol>
 */
final class SendOutcome implements StepExecutionListener, ChunkListener<Object, Object> {

    private static final Logger log = LoggerFactory.getLogger(SendOutcome.class);

    private final MailTransport transport;
    private final NotificationStore store;

    SendOutcome(MailTransport transport, NotificationStore store) {
        this.transport = transport;
        this.store = store;
    }

    @Override
    public void beforeStep(StepExecution stepExecution) {
        stepExecution.getExecutionContext().remove(SendCounters.SMTP_PROBLEM);
        transport.startRun();
    }

    @Override
    public void afterChunk(ChunkContext context) {
        StepExecution step = context.getStepContext().getStepExecution();
        step.setWriteCount(StepCounters.get(step.getExecutionContext(), SendCounters.SENT));
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        ExecutionContext context = stepExecution.getExecutionContext();
        stepExecution.setWriteCount(StepCounters.get(context, SendCounters.SENT));
        try {
            context.putLong(SendCounters.LEFT_QUEUED, store.queuedCount());
        } catch (DataAccessException e) {
            log.warn("cannot count the notifications left queued: {}", e.getMessage());
        }
        long besidesSent = SendCounters.ALL.stream()
                .filter(key -> !key.equals(SendCounters.SENT) && !key.equals(SendCounters.CLAIMED_ELSEWHERE))
                .mapToLong(key -> StepCounters.get(context, key))
                .sum();
        // a clean step's message stays empty (written says it all); the console shows a message as a problem
        return besidesSent == 0
                ? null
                : new ExitStatus(stepExecution.getExitStatus().getExitCode(), summary(context));
    }

    /** The counts of one execution of the send step, in one line. */
    static String summary(ExecutionContext context) {
        String line = String.format(
                Locale.ROOT,
                "sent %d, refused %d, failed %d, retry later %d, not connected %d, uncertain %d, left queued %d",
                StepCounters.get(context, SendCounters.SENT),
                StepCounters.get(context, SendCounters.REFUSED),
                StepCounters.get(context, SendCounters.FAILED),
                StepCounters.get(context, SendCounters.RETRY_LATER),
                StepCounters.get(context, SendCounters.NOT_CONNECTED),
                StepCounters.get(context, SendCounters.UNCERTAIN),
                StepCounters.get(context, SendCounters.LEFT_QUEUED));
        String problem = context.getString(SendCounters.SMTP_PROBLEM, null);
        return problem == null ? line : line + "; " + problem;
    }
}
