package shop.reconciler.db;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import shop.reconciler.config.InvalidConfigurationException;
import shop.reconciler.text.Durations;

/**
 * {@code reconciler.db.*}: how long the MySQL driver waits for the network, so that a database
 * that stops answering without resetting the connection fails a statement (and the run) in
 * bounded time instead of holding it, and the lease, forever.
 *
 * <ol>
 *   <li>Every statement outside the migrations waits at most the <b>statement time-out</b> for a
 *       reply (the driver's {@code socketTimeout}): by default a tenth of
 *       {@code reconciler.lock.at-most-for} (1 minute at its default of 10), and never more than a
 *       quarter of it, so that a run that meets a hung database fails its statement, then its
 *       bookkeeping, and ends while its lease still holds: the pool waits for a connection at most
 *       half the statement time-out ({@code spring.datasource.hikari.connection-timeout} is lowered
 *       to it), and after the first write of the job repository that could not reach the database
 *       the run's later writes are not attempted ({@code JobRepositoryFailFast}). So the run ends
 *       within two statement time-outs (the statement, one write, the lease's release), at most half
 *       of at-most-for, the least a lease kept alive has left at any moment. A row lock is waited for at most half of it (the sessions'
 *       {@code innodb_lock_wait_timeout}, set by {@code MySqlDriverTuning}): a lock wait ends as a
 *       lock conflict before it could be taken for a hung database.
 *   <li>The migrations' connections wait the <b>migration time-out</b> instead: a migration may
 *       legitimately rewrite a large table (V4 does), and runs before any lease is taken.
 *   <li>A {@code connectTimeout} or {@code socketTimeout} in the JDBC URL wins over both.
 * </ol>
 *
 * @param connectTimeout the longest wait for a new connection's TCP handshake
 * @param statementTimeout the longest wait for any reply of the server outside the migrations; by
 *     default a tenth of {@code reconciler.lock.at-most-for}, at most a quarter of it
 * @param migrationTimeout the longest wait for a reply of the server during the migrations at
 *     start-up
 * @param socketTimeout the former name of {@code statement-timeout} (0.6.0), still honoured when
 *     that is not set
 */
@ConfigurationProperties("reconciler.db")
public record DatabaseTimeouts(
        @DefaultValue("10s") Duration connectTimeout,
        Duration statementTimeout,
        @DefaultValue("2h") Duration migrationTimeout,
        @Deprecated Duration socketTimeout) {

    public DatabaseTimeouts {
        require("reconciler.db.connect-timeout", connectTimeout);
        require("reconciler.db.migration-timeout", migrationTimeout);
        if (statementTimeout != null) {
            require("reconciler.db.statement-timeout", statementTimeout);
        }
        if (socketTimeout != null) {
            require("reconciler.db.socket-timeout", socketTimeout);
        }
    }

    /**
     * The statement time-out for a lease of {@code atMostFor}: the one configured (or the former
     * {@code socket-timeout}), else a tenth of it; refused when more than a quarter of it.
     */
    public Duration statementTimeout(Duration atMostFor) {
        @SuppressWarnings("deprecation")
        Duration configured = statementTimeout != null ? statementTimeout : socketTimeout;
        if (configured == null) {
            return atMostFor.dividedBy(10);
        }
        if (configured.compareTo(atMostFor.dividedBy(4)) > 0) {
            String key = statementTimeout != null ? "reconciler.db.statement-timeout" : "reconciler.db.socket-timeout";
            throw new InvalidConfigurationException(
                    key,
                    "must be at most a quarter of reconciler.lock.at-most-for ("
                            + Durations.format(atMostFor.dividedBy(4))
                            + "), so that a run that meets a hung database ends before its lease lapses; was "
                            + Durations.format(configured));
        }
        return configured;
    }

    private static void require(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero() || value.toMillis() > Integer.MAX_VALUE) {
            throw new InvalidConfigurationException(
                    key, "must be a positive duration of at most 24 days (e.g. 10s, 5m), was " + value);
        }
    }
}
