package shop.reconciler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static shop.reconciler.config.ReconcilerPropertiesBuilder.properties;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import shop.reconciler.addressing.MessageIds;

class ReconcilerPropertiesTest {

    @Test
    void bindsTheDefaults() {
        // when
        ReconcilerProperties properties = properties().build();

        // then
        assertThat(properties.cron()).isEqualTo("0 */5 * * * *");
        assertThat(properties.chunkSize()).isEqualTo(2000);
        assertThat(properties.terminalTaskStatuses()).containsExactly("completed", "failed");
        assertThat(properties.lock().atMostFor()).isEqualTo(Duration.ofMinutes(10));
        assertThat(properties.lock().atLeastFor()).isEqualTo(Duration.ofSeconds(10));
        assertThat(properties.lock().name()).isEqualTo("orderCompletionJob");
        assertThat(properties.shutdownTimeout()).isEqualTo(Duration.ofSeconds(25));
        assertThat(properties.health().staleAfterRuns()).isEqualTo(3);
        assertThat(properties.health().cacheFor()).isEqualTo(Duration.ofSeconds(10));
        assertThat(properties.partitions()).isEqualTo(2);
        assertThat(properties.stuckTaskAfter()).isEqualTo(Duration.ofHours(24));
        assertThat(properties.maxWriteFailures()).isEqualTo(100);
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
        assertThat(mail.endOfDataTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(mail.sendDeadline()).isEqualTo(Duration.ofMinutes(5));
        assertThat(mail.requireTls()).isFalse();
        assertThat(mail.maxRate()).isZero();
    }

    @Test
    void acceptsChunkSizeBounds() {
        // when
        ReconcilerProperties smallest = properties().set("chunk-size", 1).build();
        ReconcilerProperties largest = properties().set("chunk-size", 10_000).build();

        // then
        assertThat(smallest.chunkSize()).isEqualTo(1);
        assertThat(largest.chunkSize()).isEqualTo(10_000);
    }

    @Test
    void refusesChunkSizeOutOfRange() {
        for (int chunkSize : new int[] {0, -1, 10_001}) {
            // when
            String refusal = refusal(properties().set("chunk-size", chunkSize));

            // then
            assertThat(refusal)
                    .describedAs("chunk-size %d", chunkSize)
                    .startsWith("reconciler.chunk-size: must be ")
                    .endsWith(", was '" + chunkSize + "'");
        }
    }

    @Test
    void refusesPartitionsOutsideOneToSixteen() {
        for (int partitions : new int[] {0, 17}) {
            // when
            String refusal = refusal(properties().set("partitions", partitions));

            // then
            assertThat(refusal).describedAs("partitions %d", partitions).startsWith("reconciler.partitions: ");
        }
    }

    @Test
    void refusesNegativeMaxWriteFailuresButAcceptsZero() {
        // when
        String refusal = refusal(properties().set("max-write-failures", -1));
        ReconcilerProperties zero = properties().set("max-write-failures", 0).build();

        // then
        assertThat(refusal).startsWith("reconciler.max-write-failures: ");
        assertThat(zero.maxWriteFailures()).isZero();
    }

    @Test
    void refusesEmptyTerminalStatusList() {
        // when
        String refusal = refusal(properties().set("terminal-task-statuses", ""));

        // then
        assertThat(refusal).startsWith("reconciler.terminal-task-statuses: must name at least one status");
    }

    @Test
    void refusesTerminalStatusThatIsNotAWord() {
        // given
        List<String> bad = List.of("in progress", "done'", "done\"", "a;b", "x".repeat(33));

        for (String status : bad) {
            // when
            String refusal = refusal(properties()
                    .set("terminal-task-statuses[0]", "completed")
                    .set("terminal-task-statuses[1]", status));

            // then
            assertThat(refusal)
                    .describedAs("status '%s'", status)
                    .startsWith("reconciler.terminal-task-statuses[1]: is not a task status")
                    .contains(status);
        }
    }

    @Test
    void refusesABlankTerminalStatusInACommaSeparatedList() {
        // when
        String refusal = refusal(properties().set("terminal-task-statuses", "completed, ,failed"));

        // then
        assertThat(refusal).startsWith("reconciler.terminal-task-statuses[1]: is not a task status");
    }

    @Test
    void trimsLowercasesAndDeduplicatesTerminalStatuses() {
        // given
        List<String> raw = List.of(" Completed ", "FAILED", "completed", "failed\t", "Cancelled");

        // when
        ReconcilerProperties properties =
                properties().set("terminal-task-statuses", raw).build();

        // then
        assertThat(properties.terminalTaskStatuses()).containsExactly("completed", "failed", "cancelled");
    }

    @Test
    void refusesUnparseableCron() {
        // given
        List<String> bad = List.of("every minute", "*/5 * * * *", "");

        for (String cron : bad) {
            // when
            String refusal = refusal(properties().set("cron", cron));

            // then
            assertThat(refusal)
                    .describedAs("cron '%s'", cron)
                    .startsWith("reconciler.cron: ")
                    .contains("six-field")
                    .endsWith(", was '" + cron + "'");
        }
    }

    @Test
    void refusesLockShorterThan30Seconds() {
        // when
        String refusal = refusal(properties().set("lock.at-most-for", "10s"));

        // then
        assertThat(refusal)
                .contains("reconciler.lock.at-most-for: must be at least 30s, was '10s'")
                .describedAs("the default at-least-for is then no shorter either")
                .contains("reconciler.lock.at-least-for: must be shorter than reconciler.lock.at-most-for");
    }

    @Test
    void acceptsLockOfExactly30Seconds() {
        // when
        ReconcilerProperties.Lock lock =
                properties().set("lock.at-most-for", "30s").build().lock();

        // then
        assertThat(lock.atMostFor()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void refusesALeaseKeptAtLeastAsLongAsItLastsAtMost() {
        // when
        String refusal = refusal(properties().set("lock.at-most-for", "1m").set("lock.at-least-for", "1m"));

        // then
        assertThat(refusal)
                .isEqualTo("reconciler.lock.at-least-for: must be shorter than reconciler.lock.at-most-for,"
                        + " was '1m'");
    }

    @Test
    void refusesABlankOrLongLockName() {
        for (String name : List.of(" ", "x".repeat(65))) {
            // when
            String refusal = refusal(properties().set("lock.name", name));

            // then
            assertThat(refusal).describedAs("name '%s'", name).startsWith("reconciler.lock.name: ");
        }
    }

    @Test
    void refusesNegativeMailMaxAge() {
        // when
        String refusal = refusal(properties().set("mail.max-age", "-1d"));

        // then
        assertThat(refusal).startsWith("reconciler.mail.max-age: must be a positive duration");
    }

    @Test
    void refusesZeroOrNegativeDurations() {
        // given
        List<String> positive = List.of(
                "shutdown-timeout",
                "stuck-task-after",
                "health.cache-for",
                "mail.max-age",
                "mail.claim-timeout",
                "mail.end-of-data-timeout",
                "mail.send-deadline");

        for (String key : positive) {
            // when
            String zero = refusal(properties().set(key, "0s"));

            // then
            assertThat(zero).describedAs(key).startsWith("reconciler." + key + ": must be a positive duration");
        }
    }

    @Test
    void refusesNegativeRetryBackoffButAcceptsZero() {
        // when
        String refusal = refusal(properties().set("mail.retry-backoff", "-1s"));
        ReconcilerProperties.Mail zero =
                properties().set("mail.retry-backoff", "0s").mail();

        // then
        assertThat(refusal).startsWith("reconciler.mail.retry-backoff: must not be negative");
        assertThat(zero.retryBackoff()).isZero();
    }

    @Test
    void bindsTheSendChunkSizeWithItsDefault() {
        // when
        ReconcilerProperties defaults = properties().build();
        ReconcilerProperties configured =
                properties().set("mail.chunk-size", 250).build();

        // then
        assertThat(defaults.mail().chunkSize()).isEqualTo(1000);
        assertThat(configured.mail().chunkSize()).isEqualTo(250);
        assertThat(configured.chunkSize()).isEqualTo(2000);
    }

    @Test
    void refusesSendChunkSizeOutsideOneToTenThousand() {
        // when
        String zero = refusal(properties().set("mail.chunk-size", 0));
        String tooLarge = refusal(properties().set("mail.chunk-size", 10_001));

        // then
        assertThat(zero).isEqualTo("reconciler.mail.chunk-size: must be greater than or equal to 1, was '0'");
        assertThat(tooLarge).isEqualTo("reconciler.mail.chunk-size: must be less than or equal to 10000, was '10001'");
    }

    @Test
    void refusesZeroClaimTimeout() {
        // when
        String refusal = refusal(properties().set("mail.claim-timeout", Duration.ZERO));

        // then
        assertThat(refusal).startsWith("reconciler.mail.claim-timeout: ");
    }

    @Test
    void refusesZeroMaxAttempts() {
        // when
        String refusal = refusal(properties().set("mail.max-attempts", 0));

        // then
        assertThat(refusal).startsWith("reconciler.mail.max-attempts: ");
    }

    @Test
    void refusesRetriesOutsideZeroToTen() {
        for (int retries : new int[] {-1, 11}) {
            // when
            String refusal = refusal(properties().set("mail.retries", retries));

            // then
            assertThat(refusal).describedAs("retries %d", retries).startsWith("reconciler.mail.retries: ");
        }
    }

    @Test
    void refusesAMaxRateOutsideZeroToOneHundredThousand() {
        for (String rate : List.of("-0.5", "100000.5", "NaN", "Infinity")) {
            // when
            String refusal = refusal(properties().set("mail.max-rate", rate));

            // then
            assertThat(refusal)
                    .describedAs("max-rate %s", rate)
                    .startsWith("reconciler.mail.max-rate: must be between 0 (no limit) and 100000");
        }
    }

    @Test
    void refusesABlankSubject() {
        // when
        String refusal = refusal(properties().set("mail.subject", " "));

        // then
        assertThat(refusal).startsWith("reconciler.mail.subject: ");
    }

    @Test
    void refusesBadFromAddress() {
        // given
        List<String> bad = List.of(
                "not-an-address",
                "orders@localhost",
                "a@example.com, b@example.com",
                "orders@example.com\r\nBcc: x@example.org",
                "");

        for (String from : bad) {
            // when
            String refusal = refusal(properties().set("mail.from", from));

            // then
            assertThat(refusal)
                    .describedAs("from %s", from)
                    .startsWith("reconciler.mail.from: is not one email address")
                    .describedAs("only the key of the broken rule")
                    .doesNotContain("message-id-domain");
        }
    }

    @Test
    void refusesBadMessageIdDomain() {
        // given
        List<String> bad = List.of("bad domain", "example.com>", "<x@example.com>", "exämple.com", "a".repeat(176));

        for (String domain : bad) {
            // when
            String refusal = refusal(properties().set("mail.message-id-domain", domain));

            // then
            assertThat(refusal)
                    .describedAs("domain %s", domain)
                    .startsWith("reconciler.mail.message-id-domain: is not a domain name of at most "
                            + MessageIds.MAX_DOMAIN_LENGTH + " characters");
        }
    }

    @Test
    void messageIdDomainNotSetIsTheDomainOfTheFromAddressAndASetOneWins() {
        // when
        String derived = properties()
                .set("mail.from", "Shop Staging <Orders@Staging.Shop.EXAMPLE>")
                .mail()
                .messageIdDomain();
        String set = properties()
                .set("mail.from", "orders@shop.example")
                .set("mail.message-id-domain", "ids.shop.example")
                .mail()
                .messageIdDomain();
        String blank = properties()
                .set("mail.from", "orders@bücher.example")
                .set("mail.message-id-domain", " ")
                .mail()
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
        String refusal = refusal(properties()
                .set(
                        "mail.from",
                        "orders@" + "a".repeat(60) + "." + "b".repeat(60) + "." + "c".repeat(60) + ".example"));

        // then
        assertThat(refusal)
                .startsWith("reconciler.mail.message-id-domain: ")
                .contains("reconciler.mail.from")
                .contains("set it");
    }

    @Test
    void treatsBlankEmlDirectoryAsUnset() {
        // when
        ReconcilerProperties.Mail mail =
                properties().set("mail.eml-directory", "  ").mail();

        // then
        assertThat(mail.emlDirectory()).isNull();
    }

    @Test
    void listsEveryBrokenRuleOnOneLineByKey() {
        // when
        String refusal = refusal(properties().set("partitions", 0).set("chunk-size", 0));

        // then
        assertThat(refusal)
                .isEqualTo("reconciler.chunk-size: must be greater than or equal to 1, was '0'; "
                        + "reconciler.partitions: must be greater than or equal to 1, was '0'")
                .doesNotContain("\n");
    }

    @Test
    void listsTheBrokenRulesOfNestedKeysWithTheTopLevelOnes() {
        // when
        String refusal = refusal(properties()
                .set("chunk-size", 0)
                .set("mail.chunk-size", 0)
                .set("lock.name", "")
                .set("health.stale-after-runs", 0));

        // then
        assertThat(refusal.split("; "))
                .extracting(problem -> problem.substring(0, problem.indexOf(':')))
                .containsExactly(
                        "reconciler.chunk-size",
                        "reconciler.health.stale-after-runs",
                        "reconciler.lock.name",
                        "reconciler.mail.chunk-size");
    }

    @Test
    void namesTheKeyOfAValueThatIsNotANumber() {
        // when
        String refusal = refusal(properties().set("chunk-size", "abc"));

        // then
        assertThat(refusal).isEqualTo("reconciler.chunk-size: cannot be read as int, was 'abc'");
    }

    /** The one line the command line prints for what {@code builder} sets, which must be refused. */
    private static String refusal(ReconcilerPropertiesBuilder builder) {
        Throwable e = catchThrowable(builder::build);
        assertThat(e).describedAs("refused: %s", builder.keys()).isInstanceOf(BindException.class);
        return ConfigurationErrors.describe(e).orElseThrow();
    }
}
