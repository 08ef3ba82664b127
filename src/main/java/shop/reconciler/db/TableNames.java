package shop.reconciler.db;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.batch.core.repository.dao.AbstractJdbcBatchMetadataDao;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import shop.reconciler.config.InvalidConfigurationException;
import shop.reconciler.config.ReconcilerProperties;

/**
 * The names of the tables the reconciler owns, so that it installs beside a shop that already has
 * its own {@code shedlock} or Spring Batch tables: {@code reconciler.table-prefix}
 * ({@link ReconcilerProperties#tablePrefix}, validated with the other keys) goes before {@code order_notifications}, {@code reconcile_failures}, {@code shedlock} and
 * Flyway's history table; Spring Batch's own {@code spring.batch.jdbc.table-prefix} (default
 * {@code BATCH_}, Spring Batch's own default) names the job repository's tables, for the job
 * repository and the migrations alike.
 *
 * <p>In SQL the names are {@link SqlText} markers, filled when the owning class is built:
 * {@code {{notifications}}}, {@code {{failures}}}, {@code {{shedlock}}}, {@code {{audit}}}, and {@code {{batch}}}
 * before a job repository table ({@code {{batch}}JOB_EXECUTION}). In a migration they are Flyway
 * placeholders: {@code ${table_prefix}order_notifications}, {@code ${batch_prefix}JOB_EXECUTION}.
 *
 * @param prefix before each of the reconciler's own tables; letters, digits and {@code _}
 * @param batchPrefix before each job repository table's name ({@code JOB_EXECUTION}, ...)
 */
public record TableNames(String prefix, String batchPrefix) {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_]{0,32}");

    /** Spring Boot's key of the job repository's prefix: Boot's, so checked here, not by a constraint of ours. */
    static final String BATCH_PREFIX_KEY = "spring.batch.jdbc.table-prefix";

    /** The names of an install without prefixes (every install before 0.7.0). */
    public static final TableNames DEFAULT = new TableNames("", AbstractJdbcBatchMetadataDao.DEFAULT_TABLE_PREFIX);

    public TableNames {
        if (batchPrefix == null
                || batchPrefix.isEmpty()
                || !PLAIN.matcher(batchPrefix).matches()) {
            throw new InvalidConfigurationException(
                    BATCH_PREFIX_KEY,
                    "must be 1 to 32 letters, digits or '_' (Spring Batch's is "
                            + AbstractJdbcBatchMetadataDao.DEFAULT_TABLE_PREFIX + "), was '" + batchPrefix + "'");
        }
    }

    /**
     * The names the configuration asks for: the reconciler's prefix as validated, the job
     * repository's as Spring Batch reads it (unset: its default).
     */
    public static TableNames of(ReconcilerProperties properties, Environment environment) {
        return new TableNames(
                properties.tablePrefix(),
                Binder.get(environment)
                        .bind(BATCH_PREFIX_KEY, String.class)
                        .orElse(AbstractJdbcBatchMetadataDao.DEFAULT_TABLE_PREFIX));
    }

    public String notifications() {
        return prefix + "order_notifications";
    }

    public String failures() {
        return prefix + "reconcile_failures";
    }

    public String shedlock() {
        return prefix + "shedlock";
    }

    public String audit() {
        return prefix + "reconciler_audit";
    }

    /** Flyway's history table: the configured name ({@code spring.flyway.table}) with the prefix. */
    public String schemaHistory(String configured) {
        return prefix + configured;
    }

    /** A job repository table: {@code JOB_EXECUTION} becomes {@code BATCH_JOB_EXECUTION}. */
    public String batch(String table) {
        return batchPrefix + table;
    }

    /** Whether these are the names of every install before 0.7.0 (no prefix of either kind). */
    public boolean isDefault() {
        return equals(DEFAULT);
    }

    /** The {@link SqlText} markers of the table names. */
    public Map<String, String> markers() {
        return Map.of(
                "notifications", notifications(),
                "failures", failures(),
                "shedlock", shedlock(),
                "audit", audit(),
                "batch", batchPrefix);
    }

    /** The table markers and {@code more} (a class's own markers), for one {@link SqlText#fill}. */
    public Map<String, String> markers(Map<String, String> more) {
        Map<String, String> all = new HashMap<>(more);
        all.putAll(markers());
        return all;
    }

    /** The same statement with the table names filled in. */
    public String fill(String sql) {
        return SqlText.fill(sql, markers());
    }

    /** Flyway placeholders of the migrations. */
    public Map<String, String> placeholders() {
        return Map.of("table_prefix", prefix, "batch_prefix", batchPrefix);
    }
}
