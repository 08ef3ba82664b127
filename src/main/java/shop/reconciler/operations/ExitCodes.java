package shop.reconciler.operations;

/** The exit codes every command keeps to (README, "Commands and exit codes"); schedulers rely on them. */
final class ExitCodes {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    /** EX_TEMPFAIL: the lease is held elsewhere, nothing was done. */
    static final int LEASE_HELD = 75;

    private ExitCodes() {}
}
