package shop.reconciler.lease;

import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import shop.reconciler.ReconcilerProperties;

@Configuration(proxyBeanMethods = false)
class LeaseConfiguration {

    @Bean(destroyMethod = "close")
    JobLease jobLease(DataSource dataSource, ReconcilerProperties properties) {
        return new JobLease(dataSource, properties);
    }
}
