package shop.reconciler.mail;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import shop.reconciler.ReconcilerProperties;
import shop.reconciler.outbox.NotificationStore;

/**
 * Before the send step reads the outbox, gives back every claim of another execution. The step
 * runs under the job's lease, which one execution holds at a time, so such a claim is one its
 * sender can no longer use (killed, stopped, or its lease gone): waiting for
 * {@code reconciler.mail.claim-timeout} would only hold its notifications back. The delivery that
 * was in flight when that sender died counts as uncertain, so it is sent at most once more.
 */
final class OrphanedClaims implements StepExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(OrphanedClaims.class);

    private final NotificationStore store;
    private final ReconcilerProperties.Mail mail;

    OrphanedClaims(NotificationStore store, ReconcilerProperties.Mail mail) {
        this.store = store;
        this.mail = mail;
    }

    @Override
    public void beforeStep(StepExecution stepExecution) {
        int released = store.claims(
                        SendStepConfiguration.claimant(stepExecution),
                        mail.claimTimeout().toSeconds())
                .releaseOrphaned();
        if (released > 0) {
            log.info("released {} notification claim(s) of executions no longer running", released);
        }
    }
}
