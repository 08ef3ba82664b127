package shop.reconciler.db;

import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;
import shop.reconciler.config.ReconcilerProperties;

/**
 * Makes the connection pool large enough for {@code reconciler.partitions}: each partition holds
 * a connection for its chunk's transaction, and the lease's keep-alive, the send step's connection
 * for its claims and results (next to its chunk's) and the health check need theirs, and the
 * console's pages have a budget of their own ({@link #CONSOLE_CONNECTIONS}, which the console's
 * {@code ConsoleReadBudget} keeps to). A pool set smaller
 * ({@code spring.datasource.hikari.maximum-pool-size}) is raised to partitions (or, if more,
 * {@code reconciler.mail.connections} + 1: the send step's ledgers and its chunk's) + 3 + that
 * budget, with a line in the log, instead of letting the partitions wait for other connections.
 */
@Component
public final class PoolSizing implements BeanPostProcessor {

    private static final Logger log = LoggerFactory.getLogger(PoolSizing.class);
    static final int SPARE_CONNECTIONS = 3;

    /** The console's pages that may read the database at once, each with a connection of its own. */
    public static final int CONSOLE_CONNECTIONS = 2;

    private final ObjectProvider<ReconcilerProperties> properties;

    PoolSizing(ObjectProvider<ReconcilerProperties> properties) {
        this.properties = properties;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource pool) {
            ReconcilerProperties settings = properties.getIfAvailable();
            // the send step, after the partitions: its chunk's transaction and a ledger per SMTP connection
            int needed = (settings == null
                            ? 1
                            : Math.max(settings.partitions(), settings.mail().connections() + 1))
                    + SPARE_CONNECTIONS
                    + CONSOLE_CONNECTIONS;
            if (pool.getMaximumPoolSize() < needed) {
                log.info(
                        "connection pool raised from {} to {} connections for reconciler.partitions",
                        pool.getMaximumPoolSize(),
                        needed);
                pool.setMaximumPoolSize(needed);
            }
        }
        return bean;
    }
}
