package shop.reconciler.db;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import shop.reconciler.config.ReconcilerProperties;

/**
 * mysql-connector-j settings the reconciler relies on, added to the pool unless the URL sets them
 * already: {@code rewriteBatchedStatements} turns a chunk's batched INSERT into multi-row
 * statements (one round trip instead of one per row), prepared statements are cached on the
 * client, and the network waits are bounded ({@link DatabaseTimeouts}: a hung database fails a
 * statement, within the statement time-out derived from the lease, instead of holding it; the
 * migrations' connections get their own longer one, see {@code Migrations}; a row lock is waited
 * for at most half of it, {@link #lockWaitSeconds}). Other drivers (the demo's H2) are left alone.
 */
@Component
class MySqlDriverTuning implements BeanPostProcessor, EnvironmentAware {

    static final Map<String, String> SETTINGS = Map.of(
            "rewriteBatchedStatements", "true",
            "cachePrepStmts", "true",
            "prepStmtCacheSize", "64",
            "prepStmtCacheSqlLimit", "4096");

    private DatabaseTimeouts timeouts;
    private Duration statementTimeout;

    @Override
    public void setEnvironment(Environment environment) {
        Binder binder = Binder.get(environment);
        timeouts = binder.bindOrCreate("reconciler.db", DatabaseTimeouts.class);
        statementTimeout =
                timeouts.statementTimeout(binder.bindOrCreate("reconciler.lock", ReconcilerProperties.Lock.class)
                        .atMostFor());
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
            pool.setConnectionTimeout(connectionTimeoutMillis(pool.getConnectionTimeout(), statementTimeout));
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
     * minimum of 250 ms), so that a run which meets a hung database ends within its lease: its
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
        all.put("connectTimeout", String.valueOf(timeouts.connectTimeout().toMillis()));
        all.put("socketTimeout", String.valueOf(statementTimeout.toMillis()));
        return all;
    }
}
