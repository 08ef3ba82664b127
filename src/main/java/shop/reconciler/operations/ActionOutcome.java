package shop.reconciler.operations;

/**
 * What an operator's action on an execution did, as the one line the command prints: the CLI
 * prints it and exits with {@link #exitCode()}, the console shows and logs it.
 */
public record ActionOutcome(Kind kind, String line) {

    public enum Kind {
        /** Done (stop requested, abandoned), or for the console's restart: started. */
        DONE,
        REFUSED,
        /** Nothing done: another process holds the lease. */
        LEASE_HELD,
        NO_SUCH_EXECUTION
    }

    static ActionOutcome done(String line) {
        return new ActionOutcome(Kind.DONE, line);
    }

    static ActionOutcome refused(String line) {
        return new ActionOutcome(Kind.REFUSED, line);
    }

    static ActionOutcome noSuchExecution(long id) {
        return new ActionOutcome(Kind.NO_SUCH_EXECUTION, "no job execution with id " + id);
    }

    /** The command's exit code; an unknown id is a usage error (exit 2, the line on standard error). */
    int exitCode() {
        return switch (kind) {
            case DONE -> ExitCodes.OK;
            case REFUSED -> ExitCodes.FAILED;
            case LEASE_HELD -> ExitCodes.LEASE_HELD;
            case NO_SUCH_EXECUTION -> throw new Cli.UsageException(line);
        };
    }
}
