package shop.reconciler.mail;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.outbox.NotificationStore;

/**
 * Before the send step reads the outbox, gives back every claim of an execution that no longer
 * runs (a killed one is marked failed by {@code restart}'s recovery): its sender can no longer use
 * it, and waiting for {@code reconciler.mail.claim-timeout} would only hold its notifications back.
 * A claim of an execution that still runs (two nodes whose leases overlapped) stays its own. The delivery that
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
                        stepExecution.getJobExecutionId(),
                        mail.claimTimeout().toSeconds())
                .releaseOrphaned();
        if (released > 0) {
            log.info("released {} notification claim(s) of executions no longer running", released);
        }
    }
}
