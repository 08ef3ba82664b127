package shop.reconciler.cli;

import shop.reconciler.operations.ActionOutcome;
import shop.reconciler.operations.RunResult;

/** The exit codes every command keeps to (README, "Commands and exit codes"); schedulers rely on them. */
final class ExitCodes {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    /** EX_TEMPFAIL: the lease is held elsewhere, nothing was done. */
    static final int LEASE_HELD = 75;

    private ExitCodes() {}

    /** A run's end: 0 completed, 1 failed, 75 the lease is held elsewhere. */
    static int of(RunResult result) {
        return switch (result) {
            case COMPLETED -> OK;
            case FAILED -> FAILED;
            case LEASE_HELD -> LEASE_HELD;
        };
    }

    /**
     * An action on an execution: its line printed (when it has one), its exit code returned; an
     * unknown id is a usage error (exit 2, the line on standard error).
     */
    static int print(ActionOutcome outcome, java.io.PrintStream out) {
        int exit = switch (outcome.kind()) {
            case DONE -> OK;
            case REFUSED, FAILED -> FAILED;
            case LEASE_HELD -> LEASE_HELD;
            case NO_SUCH_EXECUTION -> throw new Cli.UsageException(outcome.line());
        };
        if (outcome.line() != null) {
            out.println(outcome.line());
        }
        return exit;
    }
}
