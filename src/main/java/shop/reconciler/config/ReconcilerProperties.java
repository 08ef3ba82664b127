package shop.reconciler.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.scheduling.support.CronExpression;
import shop.reconciler.addressing.EmailAddresses;
import shop.reconciler.addressing.MessageIds;

/**
 * Every setting the reconciler adds, under {@code reconciler.}.
 *
 * <ol>
 *   <li>Each key's default is written once, in its {@code @DefaultValue}; the configuration
 *       processor copies it, and the {@code @param} text below, into the jar's
 *       {@code spring-configuration-metadata.json}, against which {@code jobs/configuration.md} is
 *       checked by a test.
 *   <li>Each key's rule is a Bean Validation constraint next to it. Boot's binder checks them when
 *       it binds the record (with {@link ConfigurationValidator}, its
 *       {@code configurationPropertiesValidator}) and reports the key of each broken one;
 *       {@link #bind} does the same before anything else starts, and
 *       {@link ConfigurationErrors} turns the report into one line.
 *   <li>A rule that needs code, or two keys of one record, is an {@link AssertTrue} method named
 *       {@code is<Key>()}: Bean Validation reports it against that key's own name. A rule across
 *       records is a constraint on this record that names the key
 *       ({@link StatementTimeoutWithinLease}).
 *   <li>The compact constructors only normalise (trim, lower case, derive an unset value), so that
 *       a test can build a value with any content and validate it the same way.
 * </ol>
 *
 * <p>Adding a key: a component with its {@code @DefaultValue}, its constraints and its
 * {@code @param}, and a row in {@code jobs/configuration.md}.
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
 * @param db how long the MySQL driver waits for the network
 * @param tablePrefix before the names of the reconciler's own tables ({@code order_notifications},
 *     {@code reconcile_failures}, {@code shedlock}, its audit trail) and of its Flyway history:
 *     letters, digits and {@code _}, at most 32; empty, the default, is no prefix
 */
@StatementTimeoutWithinLease
@ConfigurationProperties("reconciler")
public record ReconcilerProperties(
        @DefaultValue("0 */5 * * * *") String cron,
        @DefaultValue("2000") @Min(1) @Max(10_000) int chunkSize,

        @DefaultValue({"completed", "failed"}) @NotEmpty(message = "must name at least one status")
        List<@Pattern(regexp = "[a-z0-9_-]{1,32}", message = Messages.TASK_STATUS) String> terminalTaskStatuses,

        @DefaultValue @Valid Lock lock,
        @DefaultValue @Valid Mail mail,

        @DefaultValue("25s") @NotNull @DurationMin(nanos = 0, inclusive = false, message = Messages.POSITIVE)
        Duration shutdownTimeout,

        @DefaultValue @Valid Health health,
        @DefaultValue("2") @Min(1) @Max(16) int partitions,

        @DefaultValue("24h") @NotNull @DurationMin(nanos = 0, inclusive = false, message = Messages.POSITIVE)
        Duration stuckTaskAfter,

        @DefaultValue("100") @Min(0) int maxWriteFailures,
        @DefaultValue @Valid Db db,

        @DefaultValue("")
        @Pattern(regexp = "[A-Za-z0-9_]{0,32}", message = "must be at most 32 letters, digits or '_' (e.g. rec_)")
        String tablePrefix) {

    public ReconcilerProperties {
        if (terminalTaskStatuses != null) {
            terminalTaskStatuses = terminalTaskStatuses.stream()
                    .map(s -> s == null ? "" : s.trim().toLowerCase(Locale.ROOT))
                    .distinct()
                    .toList();
        }
    }

    /**
     * Binds and validates every {@code reconciler.*} key as Boot does for the bean, for a check
     * before the application context starts.
     *
     * @throws org.springframework.boot.context.properties.bind.BindException naming the key of
     *     the first value that cannot be converted, or whose cause, a
     *     {@link org.springframework.boot.context.properties.bind.validation.BindValidationException},
     *     names each key whose value breaks a rule ({@link ConfigurationErrors#describe} says it in
     *     one line)
     */
    public static ReconcilerProperties bind(Binder binder) {
        return ConfigurationCheck.bind(binder, ReconcilerProperties.class);
    }

    /**
     * The driver's statement time-out: {@code reconciler.db.statement-timeout} (or the former
     * {@code socket-timeout}), else a tenth of {@code reconciler.lock.at-most-for}.
     */
    public Duration statementTimeout() {
        return db.statementTimeout(lock.atMostFor());
    }

    /** Bean Validation reports this against {@code reconciler.cron}. */
    @AssertTrue(message = "is not a six-field Spring cron expression (e.g. '0 */5 * * * *')")
    boolean isCron() {
        return cron != null && CronExpression.isValidExpression(cron);
    }

    /**
     * @param staleAfterRuns the health indicator is DOWN when no execution completed within this
     *     many schedule intervals
     * @param cacheFor how long one evaluation of {@code /actuator/health} answers every request
     *     (Actuator's {@code management.endpoint.health.cache.time-to-live} follows it)
     */
    public record Health(
            @DefaultValue("3") @Min(1) int staleAfterRuns,

            @DefaultValue("10s") @NotNull @DurationMin(nanos = 0, inclusive = false, message = Messages.POSITIVE)
            Duration cacheFor) {}

    /**
     * @param atMostFor how long a lease lasts if its holder dies without releasing it; a live
     *     holder keeps extending it, so this bounds the wait after a crash, not the run
     * @param name the lease's row in the {@code shedlock} table
     * @param atLeastFor how long a launch by {@code serve} keeps the lease at least (capped at half the
     *     cron interval), so that the other nodes' launches of the same tick find it held
     */
    public record Lock(
            @DefaultValue("10m") @NotNull @DurationMin(seconds = 30, message = "must be at least 30s")
            Duration atMostFor,

            @DefaultValue("orderCompletionJob") @NotBlank @Size(max = 64)
            String name,

            @DefaultValue("10s") @NotNull @DurationMin(nanos = 0, message = Messages.NOT_NEGATIVE)
            Duration atLeastFor) {

        /** Bean Validation reports this against {@code reconciler.lock.at-least-for}. */
        @AssertTrue(message = "must be shorter than reconciler.lock.at-most-for")
        boolean isAtLeastFor() {
            return atLeastFor == null || atMostFor == null || atLeastFor.compareTo(atMostFor) < 0;
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
     * @param connections SMTP connections a send chunk uses at once (1 to 32), each with at most
     *     one message the server took and the database has not recorded yet (so a crash leaves at
     *     most this many deliveries of unknown outcome); {@code max-rate} and a throttling pause
     *     hold across them
     */
    public record Mail(
            @DefaultValue("orders@example.com") String from,
            @DefaultValue("10") @Min(1) int maxAttempts,

            @DefaultValue("7d") @NotNull @DurationMin(nanos = 0, inclusive = false, message = Messages.POSITIVE)
            Duration maxAge,

            @DefaultValue("2") @Min(0) @Max(10) int retries,

            @DefaultValue("1s") @NotNull @DurationMin(nanos = 0, message = Messages.NOT_NEGATIVE)
            Duration retryBackoff,

            @DefaultValue("10m") @NotNull @DurationMin(nanos = 0, inclusive = false, message = Messages.POSITIVE)
            Duration claimTimeout,

            @DefaultValue("200") @Min(1) int maxListedCourses,

            @DefaultValue("classpath:mail/order-completed.mustache")
            String template,

            @DefaultValue("Your order {orderCode} is complete") @NotBlank
            String subject,

            String messageIdDomain,
            String emlDirectory,
            @DefaultValue("1000") @Min(1) @Max(10_000) int chunkSize,

            @DefaultValue("10m") @NotNull @DurationMin(nanos = 0, inclusive = false, message = Messages.POSITIVE)
            Duration endOfDataTimeout,

            @DefaultValue("5m") @NotNull @DurationMin(nanos = 0, inclusive = false, message = Messages.POSITIVE)
            Duration sendDeadline,

            @DefaultValue("false") boolean requireTls,

            @DefaultValue("0")
            @DecimalMin(value = "0", message = Messages.MAX_RATE)
            @DecimalMax(value = "100000", message = Messages.MAX_RATE)
            double maxRate,

            @DefaultValue("4") @Min(1) @Max(32) int connections) {

        /** Normalises: an unset Message-ID domain is the domain of a usable {@code from}; a blank directory is none. */
        public Mail {
            if ((messageIdDomain == null || messageIdDomain.isBlank()) && isMailAddress(from)) {
                messageIdDomain = domainOf(from);
            }
            if (emlDirectory != null && emlDirectory.isBlank()) {
                emlDirectory = null;
            }
        }

        /** Bean Validation reports this against {@code reconciler.mail.from}. */
        @AssertTrue(message = "is not one email address")
        boolean isFrom() {
            return isMailAddress(from);
        }

        /** Bean Validation reports this against {@code reconciler.mail.message-id-domain}. */
        @AssertTrue(
                message = "is not a domain name of at most 175 characters (when not set, the domain of"
                        + " reconciler.mail.from is taken, and must be one: then set it)")
        boolean isMessageIdDomain() {
            return !isMailAddress(from) || MessageIds.isUsableDomain(messageIdDomain);
        }
    }

    /**
     * {@code reconciler.db.*}: how long the MySQL driver waits for the network, so that a database
     * that stops answering without resetting the connection fails a statement (and the run) in
     * bounded time instead of holding it, and the lease, forever.
     *
     * <ol>
     *   <li>Every statement outside the migrations waits at most the <b>statement time-out</b> for
     *       a reply (the driver's {@code socketTimeout}, {@link ReconcilerProperties#statementTimeout}):
     *       by default a tenth of {@code reconciler.lock.at-most-for} (1 minute at its default of 10),
     *       and never more than a quarter of it ({@link StatementTimeoutWithinLease}), so that a run
     *       that meets a hung database fails its statement, then its bookkeeping, and ends while its
     *       lease still holds: the pool waits for a connection at most half the statement time-out
     *       ({@code spring.datasource.hikari.connection-timeout} is lowered to it, by
     *       {@code MySqlDriverTuning}), and after the first write of the job repository that could
     *       not reach the database the run's later writes are not attempted
     *       ({@code JobRepositoryFailFast}). So the run ends within two statement time-outs (the
     *       statement, one write, the lease's release), at most half of at-most-for, the least a
     *       lease kept alive has left at any moment. A row lock is waited for at most half of it
     *       (the sessions' {@code innodb_lock_wait_timeout}, set by {@code MySqlDriverTuning}): a
     *       lock wait ends as a lock conflict before it could be taken for a hung database.
     *   <li>The migrations' connections wait the <b>migration time-out</b> instead: a migration may
     *       legitimately rewrite a large table (V4 does), and runs before any lease is taken.
     *   <li>A {@code connectTimeout} or {@code socketTimeout} in the JDBC URL wins over both.
     * </ol>
     *
     * @param connectTimeout the longest wait for a new connection's TCP handshake
     * @param statementTimeout the longest wait for any reply of the server outside the migrations;
     *     by default a tenth of {@code reconciler.lock.at-most-for}, at most a quarter of it
     * @param migrationTimeout the longest wait for a reply of the server during the migrations at
     *     start-up
     * @param socketTimeout the former name of {@code statement-timeout} (0.6.0), still honoured
     *     when that is not set
     */
    public record Db(
            @DefaultValue("10s")
            @NotNull
            @DurationMin(nanos = 0, inclusive = false, message = Messages.DRIVER_WAIT)
            @DurationMax(days = 24, message = Messages.DRIVER_WAIT)
            Duration connectTimeout,

            @DurationMin(nanos = 0, inclusive = false, message = Messages.DRIVER_WAIT)
            @DurationMax(days = 24, message = Messages.DRIVER_WAIT)
            Duration statementTimeout,

            @DefaultValue("2h")
            @NotNull
            @DurationMin(nanos = 0, inclusive = false, message = Messages.DRIVER_WAIT)
            @DurationMax(days = 24, message = Messages.DRIVER_WAIT)
            Duration migrationTimeout,

            @Deprecated
            @DurationMin(nanos = 0, inclusive = false, message = Messages.DRIVER_WAIT)
            @DurationMax(days = 24, message = Messages.DRIVER_WAIT)
            Duration socketTimeout) {

        /**
         * The statement time-out for a lease of {@code atMostFor}: the one configured, else a tenth
         * of it (within a quarter of it, {@link StatementTimeoutWithinLease}).
         */
        public Duration statementTimeout(Duration atMostFor) {
            Duration configured = configuredStatementTimeout();
            return configured != null ? configured : atMostFor.dividedBy(10);
        }

        /** The statement time-out configured under either name, or null. */
        Duration configuredStatementTimeout() {
            return statementTimeout != null ? statementTimeout : socketTimeout;
        }
    }

    private static boolean isMailAddress(String address) {
        return address != null && EmailAddresses.isValid(address);
    }

    /** The domain of a valid address, in its ASCII form and lower case. */
    private static String domainOf(String address) {
        String ascii = EmailAddresses.check(address).address();
        return ascii.substring(ascii.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    /** Messages shared by several constraints (annotation values must be constants). */
    private static final class Messages {
        static final String POSITIVE = "must be a positive duration (e.g. 7d, 10m, 30s)";
        static final String NOT_NEGATIVE = "must not be negative";
        static final String TASK_STATUS = "is not a task status (1 to 32 letters, digits, '_' or '-')";
        static final String MAX_RATE = "must be between 0 (no limit) and 100000 messages per second";
        static final String DRIVER_WAIT = "must be a positive duration of at most 24 days (e.g. 10s, 5m)";
    }
}
