package shop.reconciler.lease;

import java.lang.management.ManagementFactory;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import net.javacrumbs.shedlock.support.KeepAliveLockProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.TableNames;

/**
 * The one lease every launch of the job takes first, a row of the {@code shedlock} table.
 *
 * <ol>
 *   <li>Taken with the database's clock ({@code usingDbTime}), so nodes with skewed clocks agree.
 *   <li>Kept alive while held: extended before half of {@code reconciler.lock.at-most-for} has
 *       passed, so a run longer than that never lets a second one start.
 *   <li>Released when the run ends; if its holder dies, it expires after at-most-for.
 * </ol>
 */
public class JobLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobLease.class);

    private static final String HOLDER_SQL = "SELECT locked_by, locked_at, lock_until FROM {{shedlock}} WHERE name = ?";

    private final JdbcTemplate jdbc;
    private final ReconcilerProperties.Lock settings;
    private final String me;
    private final ScheduledExecutorService keepAlive;
    private final KeepAliveLockProvider provider;
    private final Dialect dialect;
    private final AtomicBoolean heldHere = new AtomicBoolean();
    private final String holderSql;

    public JobLease(DataSource dataSource, Dialect dialect, ReconcilerProperties properties, TableNames tables) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.dialect = dialect;
        this.settings = properties.lock();
        this.holderSql = tables.fill(HOLDER_SQL);
        this.me = ManagementFactory.getRuntimeMXBean().getName();
        this.keepAlive = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "lease-keep-alive");
            thread.setDaemon(true);
            return thread;
        });
        JdbcTemplateLockProvider jdbcProvider =
                new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                        .withJdbcTemplate(jdbc)
                        .withTableName(tables.shedlock())
                        .withLockedByValue(me)
                        .usingDbTime()
                        .build());
        this.provider = new KeepAliveLockProvider(jdbcProvider, keepAlive);
    }

    /** The lease if it was free, empty if someone holds it. */
    public Optional<Held> tryAcquire() {
        return tryAcquire(Duration.ZERO);
    }

    /**
     * The lease if it was free; once released it stays taken until {@code atLeastFor} after it was
     * acquired, so that the other nodes' launches of the same cron tick find it held.
     */
    public Optional<Held> tryAcquire(Duration atLeastFor) {
        LockConfiguration configuration =
                new LockConfiguration(Instant.now(), settings.name(), settings.atMostFor(), atLeastFor);
        Optional<Held> held = provider.lock(configuration).map(lock -> new Held(lock, heldHere));
        held.ifPresent(h -> heldHere.set(true));
        return held;
    }

    /** Whether this process holds the lease right now. */
    public boolean isHeldHere() {
        return heldHere.get();
    }

    /** Who holds (or last held) the lease, as the table says; empty if it was never taken. */
    public Optional<Holder> holder() {
        List<Holder> rows = jdbc.query(
                holderSql,
                (rs, n) -> new Holder(
                        rs.getString("locked_by"),
                        toUtc(rs.getTimestamp("locked_at")),
                        toUtc(rs.getTimestamp("lock_until")),
                        databaseUtcNow()),
                settings.name());
        return rows.stream().findFirst();
    }

    public String name() {
        return settings.name();
    }

    /** This process's {@code locked_by} value ({@code pid@host}). */
    public String me() {
        return me;
    }

    private Instant databaseUtcNow() {
        return dialect.utcNowQuery()
                .map(query -> toUtc(jdbc.queryForObject(query, Timestamp.class)))
                .orElseGet(Instant::now);
    }

    private static Instant toUtc(Timestamp timestamp) {
        if (timestamp == null) {
            return null;
        }
        // usingDbTime stores UTC wall-clock values; read them back as such.
        LocalDateTime wallClock = timestamp.toLocalDateTime();
        return wallClock.toInstant(ZoneOffset.UTC);
    }

    @Override
    public void close() {
        keepAlive.shutdownNow();
    }

    /** A lease held by this process; {@link #close()} releases it. */
    public static final class Held implements AutoCloseable {
        private final SimpleLock lock;
        private final AtomicBoolean heldHere;

        private Held(SimpleLock lock, AtomicBoolean heldHere) {
            this.lock = lock;
            this.heldHere = heldHere;
        }

        /**
         * Releases the lease. If it was lost meanwhile (its row deleted, or taken over after a
         * failed extension), there is nothing to release: the new holder's lease is left alone.
         */
        @Override
        public void close() {
            heldHere.set(false);
            try {
                lock.unlock();
            } catch (IllegalStateException e) {
                log.warn("the lease was lost during the run (taken over or removed): {}", e.getMessage());
            }
        }
    }

    /**
     * @param lockedBy {@code pid@host} of the holder
     * @param until when the lease expires unless extended (UTC)
     * @param now the database's time when this was read (UTC)
     */
    public record Holder(String lockedBy, Instant lockedAt, Instant until, Instant now) {
        public boolean isHeld() {
            return until != null && now != null && until.isAfter(now);
        }

        public String describe() {
            return isHeld()
                    ? "held by " + lockedBy + " since " + lockedAt + ", until " + until + " unless extended"
                    : "free (last held by " + lockedBy + ", expired " + until + ")";
        }
    }
}
