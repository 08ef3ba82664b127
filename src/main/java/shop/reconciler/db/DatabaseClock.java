package shop.reconciler.db;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The one clock every age, staleness and deadline is measured on: the database server's. Nodes
 * may run in different time zones, the database session in yet another; an {@link Instant} is the
 * same everywhere.
 *
 * <ul>
 *   <li>{@link #now()}: the server's {@code UTC_TIMESTAMP(3)}.
 *   <li>{@link #instantOf(LocalDateTime)}: a time the database stamped ({@code NOW()},
 *       {@code CURRENT_TIMESTAMP} into a {@code DATETIME}), read in the session's {@code time_zone}
 *       ({@code SYSTEM} is the server's own zone). In the hour the clocks go back such a time is
 *       ambiguous; the later of its two instants is taken, so an age is never overstated.
 * </ul>
 *
 * The values are read with {@code getObject(LocalDateTime.class)}, which the driver passes through
 * unconverted, whatever {@code connectionTimeZone} and the JVM's zone are. H2 (the demo) runs in
 * this JVM and shares its clock and zone.
 */
@Component
public class DatabaseClock {

    private static final Logger log = LoggerFactory.getLogger(DatabaseClock.class);

    static final String UTC_NOW_SQL = "SELECT UTC_TIMESTAMP(3)";
    static final String SESSION_ZONE_SQL =
            "SELECT @@session.time_zone, @@system_time_zone, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW())";

    private final JdbcTemplate jdbc;
    private final Dialect dialect;
    private volatile ZoneId sessionZone;

    public DatabaseClock(NamedParameterJdbcTemplate jdbc, Dialect dialect) {
        this.jdbc = jdbc.getJdbcTemplate();
        this.dialect = dialect;
    }

    /** The database server's current time. */
    public Instant now() {
        if (!dialect.isMySqlFamily()) {
            return Instant.now();
        }
        LocalDateTime utc = jdbc.queryForObject(UTC_NOW_SQL, (rs, n) -> rs.getObject(1, LocalDateTime.class));
        return utc.toInstant(ZoneOffset.UTC);
    }

    /** A time the database stamped in its session's zone, as an instant. */
    public Instant instantOf(LocalDateTime stamped) {
        return stamped == null
                ? null
                : stamped.atZone(sessionZone()).withLaterOffsetAtOverlap().toInstant();
    }

    /** Seconds from a database-stamped time to now, never negative; 0 for none. */
    public long secondsSince(LocalDateTime stamped, Instant now) {
        return stamped == null
                ? 0
                : Math.max(0, now.getEpochSecond() - instantOf(stamped).getEpochSecond());
    }

    /** The zone the session stamps {@code DATETIME}s in, read once. */
    public ZoneId sessionZone() {
        ZoneId zone = sessionZone;
        if (zone == null) {
            zone = dialect.isMySqlFamily()
                    ? jdbc.queryForObject(
                            SESSION_ZONE_SQL,
                            (rs, n) ->
                                    zoneOf(rs.getString(1), rs.getString(2), ZoneOffset.ofTotalSeconds(rs.getInt(3))))
                    : ZoneId.systemDefault();
            sessionZone = zone;
        }
        return zone;
    }

    /**
     * The session's {@code time_zone}: an offset ({@code +01:00}), a name of the zone tables
     * ({@code Europe/Berlin}), or {@code SYSTEM}, the server's {@code system_time_zone} (an
     * abbreviation such as {@code UTC} or {@code CET}); the current offset when Java knows no
     * such zone.
     */
    static ZoneId zoneOf(String sessionZone, String systemZone, ZoneId fallback) {
        String name = "SYSTEM".equalsIgnoreCase(sessionZone) ? systemZone : sessionZone;
        if (name == null || name.isBlank()) {
            return fallback;
        }
        try {
            return ZoneId.of(name.strip(), Map.of("UTC", "Z"));
        } catch (RuntimeException e) {
            try {
                return ZoneId.of(name.strip(), ZoneId.SHORT_IDS);
            } catch (RuntimeException again) {
                log.warn(
                        "the database's time zone '{}' is not one Java knows; its times are read in {}",
                        name,
                        fallback);
                return fallback;
            }
        }
    }
}
