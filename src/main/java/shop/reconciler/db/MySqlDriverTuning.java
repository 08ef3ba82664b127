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
import shop.reconciler.ReconcilerProperties;

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
