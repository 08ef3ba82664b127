package shop.reconciler.operations;

import shop.reconciler.db.PoolSizing;

/** What the connection pool keeps for operators' pages, which read through these services. */
public final class OperatorReads {

    /** Pages that may read the database at once, each with a connection of its own ({@link PoolSizing}). */
    public static final int CONNECTIONS = PoolSizing.CONSOLE_CONNECTIONS;

    private OperatorReads() {}
}
