package shop.reconciler.lease;

import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.TableNames;

@Configuration(proxyBeanMethods = false)
class LeaseConfiguration {

    @Bean(destroyMethod = "close")
    JobLease jobLease(DataSource dataSource, Dialect dialect, ReconcilerProperties properties, TableNames tables) {
        return new JobLease(dataSource, dialect, properties, tables);
    }
}
