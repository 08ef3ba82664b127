package shop.reconciler;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.scheduling.support.CronExpression;
import shop.reconciler.outbox.EmailAddresses;
import shop.reconciler.outbox.MessageIds;

/**
 * Every setting the reconciler adds, under {@code reconciler.}. Each has a default built into the
 * jar; the README's configuration table documents them. Values are checked when the application
 * starts, and a bad one stops it with {@link InvalidConfigurationException}, whose message names
 * the key.
 *
 * @param cron when {@code serve} launches the job: Spring's six-field cron (second first)
 * @param chunkSize orders per chunk (and per page of the reader); one transaction per chunk
 * @param terminalTaskStatuses task statuses that count as finished; any other value, known or
 *     not, keeps the order open
 * @param lock the ShedLock lease every launch takes
 * @param mail the notification email and its delivery
 * @param shutdownTimeout how long SIGTERM waits for the running execution to stop at a chunk
 *     boundary before the process exits anyway
 * @param health the {@code reconciler} health indicator of {@code serve}
 * @param partitions how many id ranges of the processing orders the reconcile step works on at
 *     the same time, each on its own thread and connection (default 2: measured 1.6 to 1.75 times one
 *     plain step on a 1M-order backlog on two cores); 1 is one plain step
 * @param stuckTaskAfter a {@code processing} order that waits on a task whose {@code updated_at}
 *     is older than this is <em>stuck</em>: no run can finish it until someone looks at the worker
 *     that owns the task; {@code status}, {@code explain} and {@code plan} count and list such orders
 * @param maxWriteFailures how many orders one reconcile step execution (one partition) may set
 *     aside because the database refused their write (a trigger, a value it cannot store): each is
 *     left processing, logged once and listed by {@code status}, and the rest of its chunk is
 *     written. One more fails the step, because then the fault is no longer one order's; 0 fails
 *     it at the first.
 */
@ConfigurationProperties("reconciler")
public record ReconcilerProperties(
        @DefaultValue("0 */5 * * * *") String cron,
        @DefaultValue("2000") int chunkSize,
        @DefaultValue({"completed", "failed"}) List<String> terminalTaskStatuses,
        @DefaultValue Lock lock,
        @DefaultValue Mail mail,
        @DefaultValue("25s") Duration shutdownTimeout,
        @DefaultValue Health health,
        @DefaultValue("2") int partitions,
        @DefaultValue("24h") Duration stuckTaskAfter,
        @DefaultValue("100") int maxWriteFailures) {

    private static final Pattern STATUS = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    /**
     * With the defaults of {@code shutdown-timeout}, {@code health}, {@code partitions},
     * {@code stuck-task-after} and {@code max-write-failures}.
     */
    public ReconcilerProperties(String cron, int chunkSize, List<String> terminalTaskStatuses, Lock lock, Mail mail) {
        this(
                cron,
                chunkSize,
                terminalTaskStatuses,
                lock,
                mail,
                Duration.ofSeconds(25),
                new Health(3, Duration.ofSeconds(10)),
                2,
                Duration.ofHours(24),
                100);
    }

    @ConstructorBinding
    public ReconcilerProperties {
        requirePositive("reconciler.shutdown-timeout", shutdownTimeout);
        requirePositive("reconciler.stuck-task-after", stuckTaskAfter);
        if (health == null) {
            health = new Health(3, Duration.ofSeconds(10));
        }
        if (cron == null || !CronExpression.isValidExpression(cron)) {
            throw new InvalidConfigurationException(
                    "reconciler.cron",
                    "'" + cron + "' is not a six-field Spring cron expression (e.g. '0 */5 * * * *')");
        }
        requireBetween("reconciler.chunk-size", chunkSize, 1, 10_000);
        requireBetween("reconciler.partitions", partitions, 1, 16);
        if (maxWriteFailures < 0) {
            throw new InvalidConfigurationException(
                    "reconciler.max-write-failures", "must not be negative, was " + maxWriteFailures);
        }
        if (terminalTaskStatuses == null || terminalTaskStatuses.isEmpty()) {
            throw new InvalidConfigurationException(
                    "reconciler.terminal-task-statuses", "must name at least one status (default: completed,failed)");
        }
        terminalTaskStatuses = terminalTaskStatuses.stream()
                .map(s -> s == null ? "" : s.trim().toLowerCase(Locale.ROOT))
                .distinct()
                .toList();
        for (String status : terminalTaskStatuses) {
            if (!STATUS.matcher(status).matches()) {
                throw new InvalidConfigurationException(
                        "reconciler.terminal-task-statuses", "'" + status + "' is not a task status");
            }
        }
    }

    /**
     * @param staleAfterRuns the health indicator is DOWN when no execution completed within this
     *     many schedule intervals
     * @param cacheFor how long one evaluation of {@code /actuator/health} answers every request
     *     (Actuator's {@code management.endpoint.health.cache.time-to-live} follows it)
     */
    public record Health(
            @DefaultValue("3") int staleAfterRuns,
            @DefaultValue("10s") Duration cacheFor) {
        public Health {
            requirePositive("reconciler.health.cache-for", cacheFor);
            if (staleAfterRuns < 1) {
                throw new InvalidConfigurationException(
                        "reconciler.health.stale-after-runs", "must be at least 1, was " + staleAfterRuns);
            }
        }
    }

    /**
     * @param atMostFor how long a lease lasts if its holder dies without releasing it; a live
     *     holder keeps extending it, so this bounds the wait after a crash, not the run
     * @param name the lease's row in the {@code shedlock} table
     * @param atLeastFor how long a launch by {@code serve} keeps the lease at least (capped at half the
     *     cron interval), so that the other nodes' launches of the same tick find it held
     */
    public record Lock(
            @DefaultValue("10m") Duration atMostFor,
            @DefaultValue("orderCompletionJob") String name,
            @DefaultValue("10s") Duration atLeastFor) {

        /** With the default at-least-for. */
        public Lock(Duration atMostFor, String name) {
            this(atMostFor, name, Duration.ofSeconds(10));
        }

        @ConstructorBinding
        public Lock {
            if (atMostFor == null || atMostFor.compareTo(Duration.ofSeconds(30)) < 0) {
                throw new InvalidConfigurationException(
                        "reconciler.lock.at-most-for", "must be at least 30s, was " + atMostFor);
            }
            if (atLeastFor == null || atLeastFor.isNegative()) {
                throw new InvalidConfigurationException(
                        "reconciler.lock.at-least-for", "must not be negative, was " + atLeastFor);
            }
            if (atLeastFor.compareTo(atMostFor) >= 0) {
                throw new InvalidConfigurationException(
                        "reconciler.lock.at-least-for", "must be shorter than reconciler.lock.at-most-for");
            }
            if (name == null || name.isBlank() || name.length() > 64) {
                throw new InvalidConfigurationException("reconciler.lock.name", "must be 1 to 64 characters");
            }
        }
    }

    /**
     * @param from the sender address of every notification
     * @param maxAttempts send attempts (one per run that tries it) before a notification is
     *     {@code failed}
     * @param maxAge an order whose newest task changed longer ago than this is completed without
     *     an email (notification {@code skipped})
     * @param retries extra tries within one run after a transient SMTP failure
     * @param retryBackoff pause before the first in-run retry; doubled for each next one
     * @param claimTimeout how long a claim on a notification protects it from other senders; a
     *     sender that died holding one is retried after this
     * @param maxListedCourses courses listed one by one in an email; the rest are summarised
     * @param template location of the Mustache body template (text/plain)
     * @param subject subject line; {@code {orderCode}} is replaced by the order code
     * @param messageIdDomain right-hand side of the stable Message-ID
     *     {@code <order-CODE@domain>}: dot-separated labels of letters, digits and hyphens, at most
     *     175 characters, so that the Message-ID of any order code fits its 255-character column.
     *     Not set: the domain of {@code from}, so that two installs with their own sender (production
     *     and a staging copy) never share Message-IDs. A notification keeps the Message-ID it was
     *     queued with (its {@code message_id}), so a change reaches only notifications queued after it
     * @param emlDirectory when set, emails are written there as .eml files instead of being sent
     *     over SMTP (what {@code demo} does)
     * @param chunkSize notifications per send chunk: one claim statement, one SMTP connection and
     *     one transaction of the job repository each (default 1000; see the README's Performance)
     * @param endOfDataTimeout how long to wait for the server's reply to a message's end of data,
     *     where it may be checking the message (RFC 5321 4.5.3.2.6 asks for 10 minutes); every other
     *     reply waits {@code mail.smtp.timeout}. A message whose reply never comes may have been
     *     delivered: it is sent at most once more
     * @param sendDeadline the longest one message's conversation may take up to its end of data,
     *     however slowly the server trickles its replies; then the connection is closed and the
     *     message tried again
     * @param requireTls never send credentials or mail in clear: over {@code smtp} the server must
     *     offer STARTTLS (it is used whenever offered, this key or not), else nothing is sent and
     *     the notifications stay queued
     * @param maxRate the most messages handed to the server per second, across chunks (a run
     *     starts afresh, with at most one message's head start): hosted providers refuse or
     *     throttle faster senders (new accounts often get about 14 per second). 0, the default,
     *     means no limit, as an own relay usually needs; a throttling reply (421, 454, or a 4xx
     *     with an enhanced code 4.7.x) pauses the whole send loop however this is set
     */
    public record Mail(
            @DefaultValue("orders@example.com") String from,
            @DefaultValue("10") int maxAttempts,
            @DefaultValue("7d") Duration maxAge,
            @DefaultValue("2") int retries,
            @DefaultValue("1s") Duration retryBackoff,
            @DefaultValue("10m") Duration claimTimeout,
            @DefaultValue("200") int maxListedCourses,

            @DefaultValue("classpath:mail/order-completed.mustache")
            String template,

            @DefaultValue("Your order {orderCode} is complete")
            String subject,

            String messageIdDomain,
            String emlDirectory,
            @DefaultValue("1000") int chunkSize,
            @DefaultValue("10m") Duration endOfDataTimeout,
            @DefaultValue("5m") Duration sendDeadline,
            @DefaultValue("false") boolean requireTls,
            @DefaultValue("0") double maxRate) {

        public Mail {
            if (from == null || !EmailAddresses.isValid(from)) {
                throw new InvalidConfigurationException(
                        "reconciler.mail.from", "'" + from + "' is not an email address");
            }
            if (maxAttempts < 1) {
                throw new InvalidConfigurationException(
                        "reconciler.mail.max-attempts", "must be at least 1, was " + maxAttempts);
            }
            requirePositive("reconciler.mail.max-age", maxAge);
            requireBetween("reconciler.mail.retries", retries, 0, 10);
            if (retryBackoff == null || retryBackoff.isNegative()) {
                throw new InvalidConfigurationException(
                        "reconciler.mail.retry-backoff", "must not be negative, was " + retryBackoff);
            }
            requirePositive("reconciler.mail.claim-timeout", claimTimeout);
            if (maxListedCourses < 1) {
                throw new InvalidConfigurationException(
                        "reconciler.mail.max-listed-courses", "must be at least 1, was " + maxListedCourses);
            }
            if (subject == null || subject.isBlank()) {
                throw new InvalidConfigurationException("reconciler.mail.subject", "must not be empty");
            }
            if (messageIdDomain == null || messageIdDomain.isBlank()) {
                messageIdDomain = domainOf(from);
                if (!MessageIds.isUsableDomain(messageIdDomain)) {
                    throw new InvalidConfigurationException(
                            "reconciler.mail.message-id-domain",
                            "not set, and the domain of reconciler.mail.from ('" + messageIdDomain
                                    + "') is not a domain name of at most " + MessageIds.MAX_DOMAIN_LENGTH
                                    + " characters: set it");
                }
            }
            if (!MessageIds.isUsableDomain(messageIdDomain)) {
                throw new InvalidConfigurationException(
                        "reconciler.mail.message-id-domain",
                        "'" + messageIdDomain + "' is not a domain name of at most " + MessageIds.MAX_DOMAIN_LENGTH
                                + " characters");
            }
            if (emlDirectory != null && emlDirectory.isBlank()) {
                emlDirectory = null;
            }
            requireBetween("reconciler.mail.chunk-size", chunkSize, 1, 10_000);
            requirePositive("reconciler.mail.end-of-data-timeout", endOfDataTimeout);
            requirePositive("reconciler.mail.send-deadline", sendDeadline);
            if (!(maxRate >= 0 && maxRate <= 100_000)) {
                throw new InvalidConfigurationException(
                        "reconciler.mail.max-rate", "must be between 0 (no limit) and 100000 messages per second");
            }
        }
    }

    /** The domain of a valid address, in its ASCII form and lower case. */
    private static String domainOf(String address) {
        String ascii = EmailAddresses.check(address).address();
        return ascii.substring(ascii.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    private static void requireBetween(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidConfigurationException(key, "must be between " + min + " and " + max + ", was " + value);
        }
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidConfigurationException(
                    key, "must be a positive duration (e.g. 7d, 10m, 30s), was " + value);
        }
    }
}
