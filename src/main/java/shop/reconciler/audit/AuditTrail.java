package shop.reconciler.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.SqlText;
import shop.reconciler.db.TableNames;

/**
 * The owner of {@code reconciler_audit}: one row per operator action ({@code requeue},
 * {@code stop}, {@code abandon}, {@code restart}), from the command line or the console, and the
 * one log line of that action ({@code <channel>: <who> <action> <execution id or target>:
 * <outcome>}).
 *
 * <p>Rows are appended and read, never changed: this class has an {@code INSERT} and a
 * {@code SELECT}, and no other statement on the table exists. The time is the database's clock in
 * UTC, so rows written by nodes in different zones sort and read alike.
 *
 * <p>A row that cannot be written (the database refused it) does not undo the action, which has
 * happened: it is logged as a warning with the whole action.
 */
@Component
public class AuditTrail {

    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

    /** The longest target and outcome kept, in characters (the columns' length). */
    static final int TEXT_LENGTH = 2000;

    static final String APPEND_SQL = """
            INSERT INTO {{audit}}
                   (acted_at, actor, channel, action, target, execution_id, affected, outcome, reason)
            VALUES ({{utcNow}}, :actor, :channel, :action, :target, :executionId, :affected, :outcome, :reason)
            """;

    static final String RECENT_SQL = """
            SELECT id, acted_at, actor, channel, action, target, execution_id, affected, outcome, reason
              FROM {{audit}}
             ORDER BY id DESC
             LIMIT :limit
            """;

    /**
     * One action.
     *
     * @param target the order codes, the filter, or the execution, as the operator named them
     * @param executionId the execution acted on, or null
     * @param affected rows changed, or null where that is not a count (stop, abandon, restart)
     * @param outcome the line the operator was shown
     */
    public record Action(String action, String target, Long executionId, Long affected, String outcome) {}

    private final NamedParameterJdbcTemplate jdbc;
    private final String appendSql;
    private final String recentSql;

    public AuditTrail(NamedParameterJdbcTemplate jdbc, Dialect dialect, TableNames tables) {
        this.jdbc = jdbc;
        this.appendSql = SqlText.fill(APPEND_SQL, tables.markers(Map.of("utcNow", dialect.utcNow())));
        this.recentSql = tables.fill(RECENT_SQL);
    }

    /** Appends the action done by {@code who} and logs it once; whether the row was written. */
    public boolean append(Actor who, Action action) {
        String reason = who.reason() == null ? "" : " (reason: " + who.reason() + ")";
        log.info(
                "{}: {} {} {}: {}{}",
                who.channel(),
                who.name(),
                action.action(),
                action.executionId() != null ? action.executionId() : action.target(),
                action.outcome(),
                reason);
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("actor", bounded(who.name(), 255))
                .addValue("channel", who.channel())
                .addValue("action", action.action())
                .addValue("target", bounded(action.target(), TEXT_LENGTH))
                .addValue("executionId", action.executionId())
                .addValue("affected", action.affected())
                .addValue("outcome", bounded(action.outcome(), TEXT_LENGTH))
                .addValue("reason", bounded(who.reason(), Actor.MAX_REASON));
        try {
            jdbc.update(appendSql, params);
            return true;
        } catch (DataAccessException e) {
            log.warn(
                    "the audit row of {}: {} {} {} was not written: {}",
                    who.channel(),
                    who.name(),
                    action.action(),
                    action.target(),
                    e.getMostSpecificCause().getMessage());
            return false;
        }
    }

    /** The newest {@code limit} rows, newest first. */
    public List<AuditEntry> recent(int limit) {
        return jdbc.query(recentSql, Map.of("limit", limit), AuditTrail::entry);
    }

    private static AuditEntry entry(ResultSet rs, int n) throws SQLException {
        LocalDateTime at = rs.getObject("acted_at", LocalDateTime.class);
        return new AuditEntry(
                rs.getLong("id"),
                at == null ? null : at.toInstant(ZoneOffset.UTC),
                rs.getString("actor"),
                rs.getString("channel"),
                rs.getString("action"),
                rs.getString("target"),
                nullable(rs, "execution_id"),
                nullable(rs, "affected"),
                rs.getString("outcome"),
                rs.getString("reason"));
    }

    private static Long nullable(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    /** The text cut to {@code max} characters (code points), an ellipsis marking a cut. */
    static String bounded(String text, int max) {
        if (text == null || text.codePointCount(0, text.length()) <= max) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, max - 1)) + "\u2026";
    }
}
