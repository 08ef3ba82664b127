package shop.reconciler.db;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import shop.reconciler.InvalidConfigurationException;

/**
 * {@code reconciler.db.*}: how long the MySQL driver waits for the network, so that a database
 * that stops answering without resetting the connection fails a statement (and the run) in
 * bounded time instead of holding it, and the lease, forever. A {@code connectTimeout} or
 * {@code socketTimeout} in the JDBC URL wins.
 *
 * @param connectTimeout the longest wait for a new connection's TCP handshake
 * @param socketTimeout the longest wait for any reply of the server; it bounds every statement,
 *     so it must be longer than the longest legitimate one (a migration of a large table)
 */
@ConfigurationProperties("reconciler.db")
public record DatabaseTimeouts(
        @DefaultValue("10s") Duration connectTimeout,
        @DefaultValue("5m") Duration socketTimeout) {

    public DatabaseTimeouts {
        require("reconciler.db.connect-timeout", connectTimeout);
        require("reconciler.db.socket-timeout", socketTimeout);
    }

    private static void require(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero() || value.toMillis() > Integer.MAX_VALUE) {
            throw new InvalidConfigurationException(
                    key, "must be a positive duration of at most 24 days (e.g. 10s, 5m), was " + value);
        }
    }
}
