package shop.reconciler.operations;

/**
 * How a launch of the job ended, as the command line turns it into an exit code (0, 1, 75) and
 * {@code serve} into a log line.
 */
public enum RunResult {
    /** The execution completed (also with emails left unsent or orders set aside: it said so). */
    COMPLETED,
    /** The execution failed or stopped; its line said why. */
    FAILED,
    /** Nothing was started: another process holds the lease. */
    LEASE_HELD
}
