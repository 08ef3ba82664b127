package shop.reconciler.mail;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import shop.reconciler.outbox.Notification;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.outbox.NotificationStore.Settlement;
import shop.reconciler.text.Durations;

/**
 * The ledger of one SMTP connection's deliveries: what is charged, settled and uncertain, on a
 * database connection of its own. It keeps the at-most-twice promise for its SMTP connection:
 *
 * <ol>
 *   <li>{@link #charge} commits, before a delivery is tried, that it is in flight (its attempt
 *       charged) together with the result of the delivery before it ({@link #settleLater}): two
 *       guarded statements, one transaction, one commit per email. So when a message's end of
 *       data goes out, the result of every message before it on this connection is durable, and
 *       so is the mark that this one is in flight: at most one accepted message is ever
 *       unrecorded, and a crash leaves it counted as uncertain by the next run.
 *   <li>{@link #uncertain} commits at once a delivery whose outcome is unknown, before the same
 *       message can go out again.
 *   <li>{@link #close} commits the last result.
 * </ol>
 *
 * When a statement or a commit fails, the transaction is rolled back and the ledger refuses
 * everything after: the caller delivers nothing more and the chunk fails.
 */
final class DeliveryLedger implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryLedger.class);

    private final Connection connection;
    private final NotificationStore.Claims claims;
    private final String claimTimeout;
    private Pending pending;
    private RuntimeException broken;
    private long recordNanos;

    /** A result decided and not yet recorded: it is committed with the next delivery's charge. */
    private record Pending(Notification notification, Settlement settlement) {}

    private DeliveryLedger(Connection connection, NotificationStore.Claims claims, String claimTimeout) {
        this.connection = connection;
        this.claims = claims;
        this.claimTimeout = claimTimeout;
    }

    /**
     * A ledger on a connection of the pool's own (not a chunk transaction's), for the sender
     * {@code claimant}.
     */
    static DeliveryLedger open(
            DataSource dataSource,
            NotificationStore store,
            String claimant,
            long executionId,
            java.time.Duration claimTimeout) {
        Connection connection;
        try {
            connection = dataSource.getConnection();
            try {
                connection.setAutoCommit(false);
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new CannotGetJdbcConnectionException("cannot get a connection for the send results", e);
        }
        NotificationStore.Claims claims = store.on(new SingleConnectionDataSource(connection, true))
                .claims(claimant, executionId, claimTimeout.toSeconds());
        return new DeliveryLedger(connection, claims, Durations.format(claimTimeout));
    }

    /**
     * Commits the result left by {@link #settleLater}, if any, and marks {@code next}'s delivery
     * as in flight, charging its attempt unless it is an in-run retry's; whether the claim on
     * {@code next} still holds (when it does not, nothing may be delivered).
     */
    boolean charge(Notification next, boolean newAttempt) {
        return inTransaction(() -> {
            recordPending();
            return claims.charge(next.id(), newAttempt);
        });
    }

    /** Leaves a result to be committed with the next charge; one already left is committed first. */
    void settleLater(Notification notification, Settlement settlement) {
        if (pending != null) {
            flush();
        }
        pending = new Pending(notification, settlement);
    }

    /** Commits a delivery of unknown outcome (and the result left before it, if any), before a retry. */
    void uncertain(Notification notification, String reason) {
        inTransaction(() -> {
            recordPending();
            claims.uncertain(notification.id(), reason);
            return true;
        });
    }

    /** Commits the result left by {@link #settleLater}, if any. */
    void flush() {
        if (pending != null) {
            inTransaction(() -> {
                recordPending();
                return true;
            });
        }
    }

    /** Time spent on statements and commits, in nanoseconds. */
    long recordNanos() {
        return recordNanos;
    }

    /** Commits the last result (unless a statement failed before), and gives the connection back. */
    @Override
    public void close() {
        try {
            if (broken == null) {
                flush();
            }
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException e) {
                log.debug("resetting the send results' connection failed: {}", e.getMessage());
            }
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the send results' connection failed: {}", e.getMessage());
            }
        }
    }

    private void recordPending() {
        Pending settled = pending;
        pending = null;
        if (settled != null && !claims.settle(settled.notification().id(), settled.settlement())) {
            log.warn(
                    "order {}: {}, but its claim had expired meanwhile (reconciler.mail.claim-timeout {})",
                    settled.notification().orderCode(),
                    settled.settlement().status().code(),
                    claimTimeout);
        }
    }

    private interface Work {
        boolean run();
    }

    private boolean inTransaction(Work work) {
        if (broken != null) {
            throw broken;
        }
        long started = System.nanoTime();
        try {
            boolean answer = work.run();
            connection.commit();
            return answer;
        } catch (SQLException e) {
            throw broken(new UncategorizedSQLException("committing a send result", null, e));
        } catch (RuntimeException e) {
            throw broken(e);
        } finally {
            recordNanos += System.nanoTime() - started;
        }
    }

    private RuntimeException broken(RuntimeException e) {
        broken = e;
        try {
            connection.rollback();
        } catch (SQLException rollback) {
            e.addSuppressed(rollback);
        }
        return e;
    }
}
