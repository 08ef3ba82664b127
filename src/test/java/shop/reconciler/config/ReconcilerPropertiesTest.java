package shop.reconciler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class ReconcilerPropertiesTest {

    // The values of the @DefaultValue annotations, in declaration order.
    private static final String CRON = "0 */5 * * * *";
    private static final int CHUNK_SIZE = 1000;
    private static final List<String> TERMINAL = List.of("completed", "failed");

    private static ReconcilerProperties.Lock lock() {
        return new ReconcilerProperties.Lock(Duration.ofMinutes(10), "orderCompletionJob");
    }

    private static ReconcilerProperties.Mail mail() {
        return new MailBuilder().build();
    }

    private static ReconcilerProperties properties(String cron, int chunkSize, List<String> terminal) {
        return new ReconcilerProperties(cron, chunkSize, terminal, lock(), mail());
    }

    @Test
    void acceptsDefaults() {
        // given / when
        ReconcilerProperties properties = properties(CRON, CHUNK_SIZE, TERMINAL);

        // then
        assertThat(properties.cron()).isEqualTo(CRON);
        assertThat(properties.chunkSize()).isEqualTo(1000);
        assertThat(properties.terminalTaskStatuses()).containsExactly("completed", "failed");
        assertThat(properties.lock().atMostFor()).isEqualTo(Duration.ofMinutes(10));
        assertThat(properties.lock().name()).isEqualTo("orderCompletionJob");
        ReconcilerProperties.Mail mail = properties.mail();
        assertThat(mail.from()).isEqualTo("orders@example.com");
        assertThat(mail.maxAttempts()).isEqualTo(10);
        assertThat(mail.maxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(mail.retries()).isEqualTo(2);
        assertThat(mail.retryBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(mail.claimTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(mail.maxListedCourses()).isEqualTo(200);
        assertThat(mail.template()).isEqualTo("classpath:mail/order-completed.mustache");
        assertThat(mail.subject()).isEqualTo("Your order {orderCode} is complete");
        assertThat(mail.messageIdDomain()).describedAs("from's domain").isEqualTo("example.com");
        assertThat(mail.emlDirectory()).isNull();
        assertThat(mail.chunkSize()).isEqualTo(1000);
    }

    @Test
    void acceptsChunkSizeBounds() {
        // given / when
        ReconcilerProperties smallest = properties(CRON, 1, TERMINAL);
        ReconcilerProperties largest = properties(CRON, 10_000, TERMINAL);

        // then
        assertThat(smallest.chunkSize()).isEqualTo(1);
        assertThat(largest.chunkSize()).isEqualTo(10_000);
    }

    @Test
    void refusesChunkSizeOutOfRange() {
        for (int chunkSize : new int[] {0, -1, 10_001}) {
            // when
            InvalidConfigurationException e = invalid(() -> properties(CRON, chunkSize, TERMINAL));

            // then
            assertThat(e).describedAs("chunk-size %d", chunkSize).isNotNull();
            assertThat(e.key()).describedAs("key for chunk-size %d", chunkSize).isEqualTo("reconciler.chunk-size");
            assertThat(e.getMessage())
                    .describedAs("message for chunk-size %d", chunkSize)
                    .contains("reconciler.chunk-size")
                    .contains(String.valueOf(chunkSize));
        }
    }

    @Test
    void refusesEmptyTerminalStatusList() {
        // given
        List<List<String>> empties = Arrays.asList(List.of(), null);

        for (List<String> terminal : empties) {
            // when
            InvalidConfigurationException e = invalid(() -> properties(CRON, CHUNK_SIZE, terminal));

            // then
            assertThat(e).describedAs("terminal %s", terminal).isNotNull();
            assertThat(e.key()).describedAs("key for %s", terminal).isEqualTo("reconciler.terminal-task-statuses");
            assertThat(e.getMessage())
                    .describedAs("message for %s", terminal)
                    .contains("reconciler.terminal-task-statuses");
        }
    }

    @Test
    void refusesTerminalStatusThatIsNotAWord() {
        // given
        List<String> bad = List.of("in progress", "done'", "done\"", "a;b", "", "x".repeat(33));

        for (String status : bad) {
            // when
            InvalidConfigurationException e = invalid(() -> properties(CRON, CHUNK_SIZE, List.of("completed", status)));

            // then
            assertThat(e).describedAs("status '%s'", status).isNotNull();
            assertThat(e.key()).describedAs("key for '%s'", status).isEqualTo("reconciler.terminal-task-statuses");
            assertThat(e.getMessage())
                    .describedAs("message for '%s'", status)
                    .contains("reconciler.terminal-task-statuses");
        }
    }

    @Test
    void trimsLowercasesAndDeduplicatesTerminalStatuses() {
        // given
        List<String> raw = List.of(" Completed ", "FAILED", "completed", "failed\t", "Cancelled");

        // when
        ReconcilerProperties properties = properties(CRON, CHUNK_SIZE, raw);

        // then
        assertThat(properties.terminalTaskStatuses()).containsExactly("completed", "failed", "cancelled");
    }

    @Test
    void refusesUnparseableCron() {
        // given
        List<String> bad = Arrays.asList("every minute", "*/5 * * * *", "", null);

        for (String cron : bad) {
            // when
            InvalidConfigurationException e = invalid(() -> properties(cron, CHUNK_SIZE, TERMINAL));

            // then
            assertThat(e).describedAs("cron '%s'", cron).isNotNull();
            assertThat(e.key()).describedAs("key for cron '%s'", cron).isEqualTo("reconciler.cron");
            assertThat(e.getMessage())
                    .describedAs("message for cron '%s'", cron)
                    .contains("reconciler.cron")
                    .contains("six-field");
        }
    }

    @Test
    void refusesLockShorterThan30Seconds() {
        // when
        InvalidConfigurationException e =
                invalid(() -> new ReconcilerProperties.Lock(Duration.ofSeconds(10), "orderCompletionJob"));

        // then
        assertThat(e).isNotNull();
        assertThat(e.key()).isEqualTo("reconciler.lock.at-most-for");
        assertThat(e.getMessage()).contains("reconciler.lock.at-most-for").contains("30s");
    }

    @Test
    void acceptsLockOfExactly30Seconds() {
        // when
        ReconcilerProperties.Lock lock = new ReconcilerProperties.Lock(Duration.ofSeconds(30), "orderCompletionJob");

        // then
        assertThat(lock.atMostFor()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void refusesNegativeMailMaxAge() {
        // when
        InvalidConfigurationException e =
                invalid(() -> new MailBuilder().maxAge(Duration.ofDays(-1)).build());

        // then
        assertThat(e).isNotNull();
        assertThat(e.key()).isEqualTo("reconciler.mail.max-age");
        assertThat(e.getMessage()).contains("reconciler.mail.max-age");
    }

    @Test
    void bindsTheSendChunkSizeWithItsDefault() {
        // given
        Binder none = new Binder(new MapConfigurationPropertySource(Map.of()));
        Binder set = new Binder(new MapConfigurationPropertySource(Map.of("reconciler.mail.chunk-size", "250")));

        // when
        ReconcilerProperties defaults = none.bindOrCreate("reconciler", ReconcilerProperties.class);
        ReconcilerProperties configured = set.bindOrCreate("reconciler", ReconcilerProperties.class);

        // then
        assertThat(defaults.mail().chunkSize()).isEqualTo(1000);
        assertThat(configured.mail().chunkSize()).isEqualTo(250);
        assertThat(configured.chunkSize()).isEqualTo(2000);
    }

    @Test
    void refusesSendChunkSizeOutsideOneToTenThousand() {
        // when
        InvalidConfigurationException zero =
                invalid(() -> new MailBuilder().chunkSize(0).build());
        InvalidConfigurationException tooLarge =
                invalid(() -> new MailBuilder().chunkSize(10_001).build());

        // then
        assertThat(zero).isNotNull();
        assertThat(zero.key()).isEqualTo("reconciler.mail.chunk-size");
        assertThat(zero.getMessage()).contains("between 1 and 10000, was 0");
        assertThat(tooLarge).isNotNull();
        assertThat(tooLarge.key()).isEqualTo("reconciler.mail.chunk-size");
    }

    @Test
    void refusesZeroClaimTimeout() {
        // when
        InvalidConfigurationException e =
                invalid(() -> new MailBuilder().claimTimeout(Duration.ZERO).build());

        // then
        assertThat(e).isNotNull();
        assertThat(e.key()).isEqualTo("reconciler.mail.claim-timeout");
        assertThat(e.getMessage()).contains("reconciler.mail.claim-timeout");
    }

    @Test
    void refusesZeroMaxAttempts() {
        // when
        InvalidConfigurationException e =
                invalid(() -> new MailBuilder().maxAttempts(0).build());

        // then
        assertThat(e).isNotNull();
        assertThat(e.key()).isEqualTo("reconciler.mail.max-attempts");
        assertThat(e.getMessage()).contains("reconciler.mail.max-attempts");
    }

    @Test
    void refusesBadFromAddress() {
        // given
        List<String> bad = Arrays.asList(
                "not-an-address",
                "orders@localhost",
                "a@example.com, b@example.com",
                "orders@example.com\r\nBcc: x@example.org",
                "",
                null);

        for (String from : bad) {
            // when
            InvalidConfigurationException e =
                    invalid(() -> new MailBuilder().from(from).build());

            // then
            assertThat(e).describedAs("from %s", from).isNotNull();
            assertThat(e.key()).describedAs("key for from %s", from).isEqualTo("reconciler.mail.from");
            assertThat(e.getMessage()).describedAs("message for from %s", from).contains("reconciler.mail.from");
        }
    }

    @Test
    void refusesBadMessageIdDomain() {
        // given
        List<String> bad = Arrays.asList("bad domain", "example.com>", "<x@example.com>", "exämple.com", " . ");

        for (String domain : bad) {
            // when
            InvalidConfigurationException e =
                    invalid(() -> new MailBuilder().messageIdDomain(domain).build());

            // then
            assertThat(e).describedAs("domain %s", domain).isNotNull();
            assertThat(e.key()).describedAs("key for domain %s", domain).isEqualTo("reconciler.mail.message-id-domain");
            assertThat(e.getMessage())
                    .describedAs("message for domain %s", domain)
                    .contains("reconciler.mail.message-id-domain");
        }
    }

    @Test
    void messageIdDomainNotSetIsTheDomainOfTheFromAddressAndASetOneWins() {
        // given
        Binder staging = new Binder(new MapConfigurationPropertySource(
                Map.of("reconciler.mail.from", "Shop Staging <Orders@Staging.Shop.EXAMPLE>")));
        Binder explicit = new Binder(new MapConfigurationPropertySource(Map.of(
                "reconciler.mail.from",
                "orders@shop.example",
                "reconciler.mail.message-id-domain",
                "ids.shop.example")));

        // when
        String derived = staging.bindOrCreate("reconciler", ReconcilerProperties.class)
                .mail()
                .messageIdDomain();
        String set = explicit.bindOrCreate("reconciler", ReconcilerProperties.class)
                .mail()
                .messageIdDomain();
        String blank = new MailBuilder()
                .from("orders@bücher.example")
                .messageIdDomain(" ")
                .build()
                .messageIdDomain();

        // then
        assertThat(derived).isEqualTo("staging.shop.example");
        assertThat(set).isEqualTo("ids.shop.example");
        assertThat(blank)
                .describedAs("ASCII form of an internationalised domain")
                .isEqualTo("xn--bcher-kva.example");
    }

    @Test
    void refusesAFromDomainThatCannotBeAMessageIdDomainWhenNoneIsSet() {
        // when
        InvalidConfigurationException e = invalid(() -> new MailBuilder()
                .from("orders@" + "a".repeat(60) + "." + "b".repeat(60) + "." + "c".repeat(60) + ".example")
                .build());

        // then
        assertThat(e).isNotNull();
        assertThat(e.key()).isEqualTo("reconciler.mail.message-id-domain");
        assertThat(e.getMessage()).contains("reconciler.mail.from").contains("set it");
    }

    @Test
    void treatsBlankEmlDirectoryAsUnset() {
        // when
        ReconcilerProperties.Mail mail = new MailBuilder().emlDirectory("  ").build();

        // then
        assertThat(mail.emlDirectory()).isNull();
    }

    private static InvalidConfigurationException invalid(ThrowingCallable construction) {
        return catchThrowableOfType(InvalidConfigurationException.class, construction);
    }

    /** {@link ReconcilerProperties.Mail} with the defaults of its @DefaultValue annotations. */
    private static final class MailBuilder {
        private String from = "orders@example.com";
        private int maxAttempts = 10;
        private Duration maxAge = Duration.ofDays(7);
        private int retries = 2;
        private Duration retryBackoff = Duration.ofSeconds(1);
        private Duration claimTimeout = Duration.ofMinutes(10);
        private int maxListedCourses = 200;
        private String template = "classpath:mail/order-completed.mustache";
        private String subject = "Your order {orderCode} is complete";
        private String messageIdDomain = null;
        private String emlDirectory = null;
        private int chunkSize = 1000;

        MailBuilder chunkSize(int value) {
            chunkSize = value;
            return this;
        }

        MailBuilder from(String value) {
            from = value;
            return this;
        }

        MailBuilder maxAttempts(int value) {
            maxAttempts = value;
            return this;
        }

        MailBuilder maxAge(Duration value) {
            maxAge = value;
            return this;
        }

        MailBuilder claimTimeout(Duration value) {
            claimTimeout = value;
            return this;
        }

        MailBuilder messageIdDomain(String value) {
            messageIdDomain = value;
            return this;
        }

        MailBuilder emlDirectory(String value) {
            emlDirectory = value;
            return this;
        }

        ReconcilerProperties.Mail build() {
            return new ReconcilerProperties.Mail(
                    from,
                    maxAttempts,
                    maxAge,
                    retries,
                    retryBackoff,
                    claimTimeout,
                    maxListedCourses,
                    template,
                    subject,
                    messageIdDomain,
                    emlDirectory,
                    chunkSize,
                    Duration.ofMinutes(10),
                    Duration.ofMinutes(5),
                    false,
                    0);
        }
    }
}
