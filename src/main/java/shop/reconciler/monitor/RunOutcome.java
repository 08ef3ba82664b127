package shop.reconciler.monitor;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.stereotype.Component;
import shop.reconciler.mail.SendCounters;
import shop.reconciler.mail.SendStepConfiguration;
import shop.reconciler.progress.StepCounters;
import shop.reconciler.reconcile.OrderCompletionJobConfiguration;
import shop.reconciler.reconcile.ReconcileCounters;

/**
 * An execution's {@code EXIT_CODE} tells a clean run from one that completed with something left
 * for a person: {@code COMPLETED} when every email went out, {@value #WITH_PROBLEMS} when emails
 * were left queued (the server away, a 4xx), refused or failed, or an order was set aside, with the
 * counts in {@code EXIT_MESSAGE}. The status stays {@code COMPLETED} (restart has nothing to do), and
 * so does {@code run}'s exit code 0: the README's exit codes are a contract schedulers rely on.
 */
@Component
public class RunOutcome implements JobExecutionListener {

    public static final String WITH_PROBLEMS = "COMPLETED_WITH_PROBLEMS";

    private static final Logger log = LoggerFactory.getLogger(RunOutcome.class);

    @Override
    public void afterJob(JobExecution execution) {
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            return;
        }
        long leftQueued = 0;
        long refused = 0;
        long failed = 0;
        long noRecipient = 0;
        long setAside = 0;
        String smtpProblem = null;
        for (StepExecution step : execution.getStepExecutions()) {
            ExecutionContext context = step.getExecutionContext();
            if (step.getStepName().equals(SendStepConfiguration.STEP_NAME)) {
                leftQueued = StepCounters.get(context, SendCounters.LEFT_QUEUED);
                refused = StepCounters.get(context, SendCounters.REFUSED);
                failed = StepCounters.get(context, SendCounters.FAILED);
                smtpProblem = context.getString(SendCounters.SMTP_PROBLEM, null);
            } else if (step.getStepName().equals(OrderCompletionJobConfiguration.STEP_NAME)) {
                noRecipient = StepCounters.get(context, ReconcileCounters.NO_RECIPIENT);
                setAside = StepCounters.get(context, ReconcileCounters.WRITE_FAILURES);
            }
        }
        if (leftQueued + refused + failed + noRecipient + setAside == 0) {
            return;
        }
        String counts = String.format(
                Locale.ROOT,
                "emails left queued %d, refused %d, failed %d, without recipient %d; orders set aside %d",
                leftQueued,
                refused,
                failed,
                noRecipient,
                setAside);
        if (smtpProblem != null) {
            counts += "; " + smtpProblem;
        }
        execution.setExitStatus(new ExitStatus(WITH_PROBLEMS, counts));
        log.warn("execution {} completed with problems: {}", execution.getId(), counts);
    }
}
