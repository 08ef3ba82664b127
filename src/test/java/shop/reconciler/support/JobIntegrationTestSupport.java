package shop.reconciler.support;

import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import shop.reconciler.OrderReconcilerApplication;

/**
 * One application context for the job's integration tests: a fresh database on the real
 * MySQL-protocol server of {@link TestDatabase} holding the shop's tables before the application
 * starts (as a real shop database would), and a real SMTP server (GreenMail). Chunks of 5 so that
 * small fixtures span several chunks.
 */
@SpringBootTest(
        classes = OrderReconcilerApplication.class,
        properties = {
            "reconciler.chunk-size=5",
            "reconciler.mail.retry-backoff=10ms",
            // the Message-IDs the tests name; the default (from's domain) is tested on its own
            "reconciler.mail.message-id-domain=order-reconciler.local"
        })
public abstract class JobIntegrationTestSupport {

    protected static final TestDatabase.DatabaseRef DATABASE =
            TestDatabase.server().createDatabase("job");
    protected static final GreenMail SMTP = MailServer.start();
    protected static final ShopFixture SHOP = new ShopFixture(DATABASE.dataSource()).createSchema();

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        DATABASE.springProperties().forEach((key, value) -> registry.add(key, () -> value));
        MailServer.springProperties(SMTP).forEach((key, value) -> registry.add(key, () -> value));
    }

    @Autowired
    protected JobOperator jobOperator;

    @Autowired
    protected Job orderCompletionJob;

    @BeforeEach
    void emptyShopAndMailbox() throws Exception {
        SHOP.clear();
        SMTP.purgeEmailFromAllMailboxes();
    }

    protected JobExecution runJob() {
        return jobOperator.startNextInstance(orderCompletionJob);
    }

    /** Runs the job while the database refuses to insert the notification of one order (a trigger). */
    protected JobExecution runJobRefusingNotificationOf(String orderCode) {
        return SHOP.refusingNotificationOf(orderCode, this::runJob);
    }

    protected static StepExecution step(JobExecution execution, String name) {
        return execution.getStepExecutions().stream()
                .filter(s -> s.getStepName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no step " + name + " in execution " + execution.getId()));
    }

    private static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The subjects of the messages the SMTP server received, each once (one per order code). */
    protected Set<String> distinctSubjects() {
        return Arrays.stream(received()).map(JobIntegrationTestSupport::subject).collect(Collectors.toSet());
    }

    protected MimeMessage[] received() {
        return SMTP.getReceivedMessages();
    }
}
