package shop.reconciler.operations;

/**
 * What an operator's action on an execution did, as the one line the command prints: the CLI
 * prints it and exits with the kind's exit code, the console shows and logs it. A restart that ran
 * has no line of its own: the run's lines were shown as it went.
 */
public record ActionOutcome(Kind kind, String line) {

    public enum Kind {
        /** Done (stop requested, abandoned), or for the console's restart: started. */
        DONE,
        REFUSED,
        /** Nothing done: another process holds the lease. */
        LEASE_HELD,
        NO_SUCH_EXECUTION,
        /** The restart ran and its execution failed (its lines said why). */
        FAILED
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

    /** A restart that ran: how its execution ended, its lines already shown. */
    static ActionOutcome ran(RunResult result) {
        return new ActionOutcome(
                switch (result) {
                    case COMPLETED -> Kind.DONE;
                    case FAILED -> Kind.FAILED;
                    case LEASE_HELD -> Kind.LEASE_HELD;
                },
                null);
    }
}
