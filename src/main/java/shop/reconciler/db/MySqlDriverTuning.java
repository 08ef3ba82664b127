package shop.reconciler.db;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.text.Durations;

/**
 * mysql-connector-j settings the reconciler relies on, added to the pool unless the URL sets them
 * already: {@code rewriteBatchedStatements} turns a chunk's batched INSERT into multi-row
 * statements (one round trip instead of one per row), prepared statements are cached on the
 * client, and the network waits are bounded ({@link ReconcilerProperties.Db}: a hung database
 * fails a statement, within the statement time-out derived from the lease, instead of holding it;
 * the migrations' connections get their own longer one, see {@code Migrations}; a row lock is
 * waited for at most half of it, {@link #lockWaitSeconds}; the pool waits for a connection at most
 * half of it, {@link #connectionTimeoutMillis}). Other drivers (the demo's H2) are left alone.
 */
@Component
class MySqlDriverTuning implements BeanPostProcessor, EnvironmentAware {

    static final Map<String, String> SETTINGS = Map.of(
            "rewriteBatchedStatements", "true",
            "cachePrepStmts", "true",
            "prepStmtCacheSize", "64",
            "prepStmtCacheSqlLimit", "4096");

    private static final Logger log = LoggerFactory.getLogger(MySqlDriverTuning.class);

    /** Spring Boot's key of the pool's wait for a connection. */
    static final String CONNECTION_TIMEOUT_KEY = "spring.datasource.hikari.connection-timeout";

    private Duration connectTimeout;
    private Duration statementTimeout;

    /** Whether the operator set {@link #CONNECTION_TIMEOUT_KEY}. */
    private boolean connectionTimeoutSet;

    @Override
    public void setEnvironment(Environment environment) {
        // Only the two records it needs, as they are: the command line validated every key before the
        // context started, and Boot validates them again as it binds the ReconcilerProperties bean.
        Binder binder = Binder.get(environment);
        ReconcilerProperties.Db db = binder.bindOrCreate("reconciler.db", ReconcilerProperties.Db.class);
        connectTimeout = db.connectTimeout();
        statementTimeout = db.statementTimeout(binder.bindOrCreate("reconciler.lock", ReconcilerProperties.Lock.class)
                .atMostFor());
        connectionTimeoutSet = binder.bind(CONNECTION_TIMEOUT_KEY, String.class).isBound();
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource pool && Dialect.usesMySqlDriver(pool.getJdbcUrl())) {
            settings().forEach((key, value) -> {
                if (!pool.getJdbcUrl().contains(key + "=")
                        && !pool.getDataSourceProperties().containsKey(key)) {
                    pool.addDataSourceProperty(key, value);
                }
            });
            if (pool.getConnectionInitSql() == null) {
                pool.setConnectionInitSql(LOCK_WAIT_SQL.formatted(lockWaitSeconds(statementTimeout)));
            }
            long configured = pool.getConnectionTimeout();
            pool.setConnectionTimeout(connectionTimeoutMillis(configured, statementTimeout));
            if (connectionTimeoutSet && pool.getConnectionTimeout() != configured) {
                log.info(
                        "{}: {} lowered to {}, half the statement time-out (reconciler.db.statement-timeout, {}),"
                                + " so that a run that meets a hung database ends within its lease",
                        CONNECTION_TIMEOUT_KEY,
                        configured <= 0 ? "0 (no limit)" : Durations.format(Duration.ofMillis(configured)),
                        Durations.format(Duration.ofMillis(pool.getConnectionTimeout())),
                        Durations.format(statementTimeout));
            }
            // an idle connection's check, part of that wait, would otherwise take its own 5 s
            pool.setValidationTimeout(Math.min(pool.getValidationTimeout(), pool.getConnectionTimeout()));
        }
        return bean;
    }

    /**
     * Each new connection waits for a row lock at most half the statement time-out (at least a
     * second), or the server's own {@code innodb_lock_wait_timeout} when that is shorter: a lock
     * held long by a webhook or another instance then ends as a lock conflict (error 1205, the
     * chunk written again the careful way) before the statement time-out takes the wait for a
     * hung database and fails the run. A {@code connection-init-sql} of the operator's wins.
     */
    static final String LOCK_WAIT_SQL =
            "SET SESSION innodb_lock_wait_timeout = LEAST(@@GLOBAL.innodb_lock_wait_timeout, %d)";

    /**
     * The pool's wait for a connection, at most half the statement time-out (and at least Hikari's
     * minimum of 250 ms). This is the documented rule, not a refusal: an operator's longer
     * {@code spring.datasource.hikari.connection-timeout} is lowered, and said once at INFO with the
     * key and both values (a value Boot's default leaves unset is lowered without a word), so that a run which meets a hung database ends within its lease: its
     * statement fails after the statement time-out, its first write of the job repository after
     * half of it ({@code db.JobRepositoryFailFast} keeps the later ones from waiting at all), the
     * release of its lease after half of it again: two statement time-outs at most, and those are at
     * most half of at-most-for, the least a lease kept alive has left.
     */
    static long connectionTimeoutMillis(long configured, Duration statementTimeout) {
        long wait = configured <= 0 ? Long.MAX_VALUE : configured; // 0: Hikari's "no limit"
        return Math.max(250, Math.min(wait, statementTimeout.toMillis() / 2));
    }

    /** Half the statement time-out, in whole seconds, at least one. */
    static long lockWaitSeconds(Duration statementTimeout) {
        return Math.max(1, statementTimeout.toSeconds() / 2);
    }

    private Map<String, String> settings() {
        Map<String, String> all = new LinkedHashMap<>(SETTINGS);
        all.put("connectTimeout", String.valueOf(connectTimeout.toMillis()));
        all.put("socketTimeout", String.valueOf(statementTimeout.toMillis()));
        return all;
    }
}
