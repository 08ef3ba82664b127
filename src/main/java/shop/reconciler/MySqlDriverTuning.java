package shop.reconciler;

import com.zaxxer.hikari.HikariDataSource;
import java.util.Map;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;
import shop.reconciler.db.Dialect;

/**
 * mysql-connector-j settings the reconciler relies on, added to the pool unless the URL sets them
 * already: {@code rewriteBatchedStatements} turns a chunk's batched INSERT into multi-row
 * statements (one round trip instead of one per row), and prepared statements are cached on the
 * client. Other drivers (the demo's H2) are left alone.
 */
@Component
class MySqlDriverTuning implements BeanPostProcessor {

    static final Map<String, String> SETTINGS = Map.of(
            "rewriteBatchedStatements", "true",
            "cachePrepStmts", "true",
            "prepStmtCacheSize", "64",
            "prepStmtCacheSqlLimit", "4096");

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource pool && Dialect.usesMySqlDriver(pool.getJdbcUrl())) {
            SETTINGS.forEach((key, value) -> {
                if (!pool.getJdbcUrl().contains(key + "=")
                        && !pool.getDataSourceProperties().containsKey(key)) {
                    pool.addDataSourceProperty(key, value);
                }
            });
        }
        return bean;
    }
}
