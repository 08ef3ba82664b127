package shop.reconciler.db;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.InvalidDataAccessResourceUsageException;
import org.springframework.dao.NonTransientDataAccessResourceException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.transaction.TransactionException;

/**
 * What a database error means, decided here and nowhere else.
 *
 * <ol>
 *   <li><b>Lock conflicts</b> end as a {@link PessimisticLockingFailureException}, which the
 *       reconcile step retries and the reader answers by counting without locks: a deadlock or a
 *       lock-wait timeout (spring-jdbc knows those), and MariaDB's {@code ER_CHECKREAD} (1020,
 *       SQLSTATE HY000, "Record has changed since last read"), which spring-jdbc does not know.
 *       MariaDB 11.6 and later raise it by default ({@code innodb_snapshot_isolation=ON}): in a
 *       REPEATABLE READ transaction whose snapshot is open, a locking read or write of a row that
 *       another transaction changed since (or is changing) fails at once instead of waiting, and,
 *       like a deadlock, rolls the whole transaction back. {@link #translator} turns it into a lock
 *       conflict for every statement of a template it is given to.
 *   <li><b>Not one row's fault</b> ({@link #mayBeOneRowsFault}): a lock conflict or a time-out, a
 *       lost connection or an exhausted resource, a statement the server cannot run at all (a
 *       missing table, bad SQL), a failed transaction. Everything else (a trigger's SIGNAL, a value
 *       the column cannot store) may be one order's own data.
 * </ol>
 */
public final class DatabaseErrors {

    /** MariaDB's and MySQL's {@code ER_CHECKREAD}: a row changed since the transaction's snapshot. */
    static final int ER_CHECKREAD = 1020;

    private DatabaseErrors() {}

    /**
     * {@code standard} (a template's own translator) with the lock conflicts it does not know
     * translated as such.
     */
    public static SQLExceptionTranslator translator(SQLExceptionTranslator standard) {
        return (task, sql, ex) -> isSnapshotConflict(ex)
                ? new PessimisticLockingFailureException(
                        task + "; " + (sql == null ? "" : "SQL [" + sql + "]; ") + ex.getMessage(), ex)
                : standard.translate(task, sql, ex);
    }

    /** Whether {@code ex} (or an exception it chains) is {@code ER_CHECKREAD}. */
    static boolean isSnapshotConflict(SQLException ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && isCheckRead(sql)) {
                return true;
            }
        }
        for (SQLException next = ex.getNextException(); next != null; next = next.getNextException()) {
            if (isCheckRead(next)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isCheckRead(SQLException sql) {
        return sql.getErrorCode() == ER_CHECKREAD
                && (sql.getSQLState() == null || sql.getSQLState().startsWith("HY"));
    }

    /** Whether {@code e} is a lock conflict, translated or not. */
    static boolean isLockConflict(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof PessimisticLockingFailureException) {
                return true;
            }
            if (cause instanceof SQLException sql
                    && (isSnapshotConflict(sql)
                            || sql.getSQLState() != null && sql.getSQLState().startsWith("40"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the failure may be the data's own, of the rows the statement touched: not a lock
     * conflict or a time-out, not a connection or resource failure, not a statement the server
     * cannot run for any row (a missing table, bad SQL), not a failed transaction.
     */
    public static boolean mayBeOneRowsFault(RuntimeException e) {
        if (e instanceof TransientDataAccessException
                || e instanceof NonTransientDataAccessResourceException
                || e instanceof DataAccessResourceFailureException
                || e instanceof RecoverableDataAccessException
                || e instanceof InvalidDataAccessResourceUsageException
                || e instanceof TransactionException
                || isLockConflict(e)) {
            return false;
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("08")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code e} says the database could not be reached: no connection within the pool's
     * connection time-out ({@link SQLTransientConnectionException}), or a connection lost or timed
     * out (SQLSTATE class 08, which a statement time-out of the driver raises).
     */
    public static boolean isUnreachable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLException sql
                            && sql.getSQLState() != null
                            && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }
}
