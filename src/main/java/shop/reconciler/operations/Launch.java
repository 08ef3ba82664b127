package shop.reconciler.operations;

import java.util.Locale;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * What launched an execution, who, and on which node: recorded as its non-identifying job
 * parameters ({@code BATCH_JOB_EXECUTION_PARAMS}: {@code trigger}, {@code node}, {@code user}),
 * beside the identifying {@code run.id} that names its instance. A restart of an instance records
 * its own launch; the instance stays the same.
 *
 * @param trigger what launched it
 * @param user the OS user of the process (a command, or {@code serve}'s cron), or the console's
 *     account
 */
public record Launch(Trigger trigger, String user) {

    public static final String TRIGGER = "trigger";
    public static final String NODE = "node";
    public static final String USER = "user";

    /** What launched an execution; stored in lower case. */
    public enum Trigger {
        /** {@code serve}'s schedule, {@code reconciler.cron}. */
        CRON,
        /** The {@code run} command. */
        RUN,
        /** The {@code restart} command. */
        RESTART,
        /** A restart from the console. */
        CONSOLE,
        /** The {@code demo} command. */
        DEMO;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A launch by this process's OS user. */
    public static Launch by(Trigger trigger) {
        return new Launch(trigger, System.getProperty("user.name", "unknown"));
    }

    /** A restart from the console by its signed-in account. */
    public static Launch console(String account) {
        return new Launch(Trigger.CONSOLE, account);
    }

    /** {@code parameters}' identifying ones, and this launch's, from {@code node}. */
    JobParameters onto(JobParameters parameters, String node) {
        return new JobParametersBuilder(new JobParameters(parameters.getIdentifyingParameters()))
                .addString(TRIGGER, trigger.value(), false)
                .addString(NODE, node, false)
                .addString(USER, user, false)
                .toJobParameters();
    }
}
