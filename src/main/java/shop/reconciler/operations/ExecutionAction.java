package shop.reconciler.operations;

import org.springframework.batch.core.BatchStatus;

/**
 * The operator's actions on one execution, and the one rule of which applies to an execution in
 * which state: {@code restart}, {@code stop} and {@code abandon} refuse by it, and the console
 * offers a button by it.
 */
public enum ExecutionAction {
    /** Again from its last committed chunk; a running one only when its process died (the lease is free). */
    RESTART,
    /** A running execution, at its next chunk boundary. */
    STOP,
    /**
     * A stopped or failed one, never to be restarted; also one still {@code STOPPING}, as Spring
     * Batch allows (one whose process died while stopping).
     */
    ABANDON;

    /**
     * Whether the action applies.
     *
     * @param leaseFree no process holds the lease, so an execution shown running has no live process
     */
    public boolean allows(BatchStatus status, boolean leaseFree) {
        return switch (this) {
            case RESTART -> restartable(status) || (status.isRunning() && leaseFree);
            case STOP -> status == BatchStatus.STARTING || status == BatchStatus.STARTED;
            case ABANDON -> restartable(status) || status == BatchStatus.STOPPING;
        };
    }

    /** The word of the command and of the console's log line. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    private static boolean restartable(BatchStatus status) {
        return status == BatchStatus.FAILED || status == BatchStatus.STOPPED || status == BatchStatus.UNKNOWN;
    }
}
