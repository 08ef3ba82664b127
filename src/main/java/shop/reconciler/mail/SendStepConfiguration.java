package shop.reconciler.mail;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.transaction.PlatformTransactionManager;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.outbox.Notification;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.outbox.QueuedNotificationReader;
import shop.reconciler.reconcile.OrderRules;

/** The job's second step, {@code send}: the outbox to the SMTP server. */
@Configuration(proxyBeanMethods = false)
public class SendStepConfiguration {

    public static final String STEP_NAME = "send";

    @Bean
    MailTransport mailTransport(
            ReconcilerProperties properties,
            ObjectProvider<JavaMailSenderImpl> smtp,
            ObjectProvider<SslBundles> sslBundles,
            Environment environment) {
        if (properties.mail().emlDirectory() != null) {
            return new EmlDirectoryTransport(Path.of(properties.mail().emlDirectory()));
        }
        // the bundle Spring Boot installs for spring.mail.ssl.bundle also verifies opportunistic TLS
        String bundle = environment.getProperty("spring.mail.ssl.bundle");
        SslBundles bundles = sslBundles.getIfAvailable();
        return new SmtpTransport(
                smtp.getIfAvailable(),
                properties.mail(),
                bundle == null || bundle.isBlank() || bundles == null ? null : bundles.getBundle(bundle));
    }

    /** Who holds a claim: this process and this job execution. */
    static String claimant(StepExecution stepExecution) {
        return ManagementFactory.getRuntimeMXBean().getName() + "/execution-" + stepExecution.getJobExecutionId();
    }

    @Bean
    EmailComposer emailComposer(ReconcilerProperties properties, ResourceLoader resources, OrderRules rules) {
        return new EmailComposer(properties, resources, rules);
    }

    @Bean
    @StepScope
    SendCircuit sendCircuit() {
        return new SendCircuit();
    }

    @Bean
    @StepScope
    QueuedNotificationReader queuedNotificationReader(
            NotificationStore notificationStore, ReconcilerProperties properties, SendCircuit sendCircuit) {
        return new QueuedNotificationReader(notificationStore, properties.mail().chunkSize(), sendCircuit::isOpen);
    }

    @Bean
    @StepScope
    NotificationSender notificationSender(
            NamedParameterJdbcTemplate jdbc,
            DataSource dataSource,
            MailTransport mailTransport,
            EmailComposer emailComposer,
            ReconcilerProperties properties,
            SendCircuit sendCircuit,
            NotificationStore notificationStore,
            OrderRules rules,
            @Value("#{stepExecution}") StepExecution stepExecution) {
        return new NotificationSender(
                jdbc,
                dataSource,
                mailTransport,
                emailComposer,
                properties,
                sendCircuit,
                stepExecution,
                claimant(stepExecution),
                notificationStore,
                rules);
    }

    @Bean
    @SuppressWarnings({"removal", "rawtypes", "unchecked"})
    Step sendStep(
            JobRepository jobRepository,
            PlatformTransactionManager transactionManager,
            ReconcilerProperties properties,
            QueuedNotificationReader queuedNotificationReader,
            NotificationSender notificationSender,
            MailTransport mailTransport,
            NotificationStore notificationStore) {
        SendProgressListener progress = new SendProgressListener(mailTransport.handOver());
        OrphanedClaims orphanedClaims = new OrphanedClaims(notificationStore, properties.mail());
        SendOutcome outcome = new SendOutcome(mailTransport, notificationStore);
        // The classic chunk step (TaskletStep): it saves the step's execution context inside each
        // chunk's transaction, which Spring Batch 6.0's new ChunkOrientedStep does not yet.
        return new org.springframework.batch.core.step.builder.StepBuilder(STEP_NAME, jobRepository)
                .<Notification, Notification>chunk(properties.mail().chunkSize(), transactionManager)
                .reader(queuedNotificationReader)
                .writer(notificationSender)
                .listener((StepExecutionListener) orphanedClaims)
                .listener((StepExecutionListener) progress)
                .listener((ChunkListener) progress)
                // registered last, so that its afterStep runs first and the progress line has its counts
                .listener((StepExecutionListener) outcome)
                .listener((ChunkListener) outcome)
                .allowStartIfComplete(true)
                .build();
    }
}
