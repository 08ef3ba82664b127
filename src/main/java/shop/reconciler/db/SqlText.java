package shop.reconciler.db;

import java.util.Collection;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How values get into the reconciler's SQL: one convention for every statement.
 *
 * <ul>
 *   <li>{@code :name} is a bound value ({@code NamedParameterJdbcTemplate}; a list expands to
 *       {@code ?, ?, ...}). Everything read from the shop's data, and every value given at run
 *       time, is bound.
 *   <li>{@code {{name}}} is text fixed when the statement is built, before it reaches the driver:
 *       the {@link Dialect}'s fragments, configuration values that {@code ReconcilerProperties}
 *       validated as plain words ({@link #literal}), and, on the reconcile step's hot path, the
 *       chunk's order ids as number literals ({@code {{ids}}}, {@link #withIds}).
 * </ul>
 *
 * <p>Why literals for the ids: a chunk's statements differ in their text anyway (their id list),
 * so they cannot be reused as prepared statements, and a thousand bound ids cost the driver more
 * than the statement costs the server (the driver scans a prepared statement's text for
 * placeholders character by character: a fifth of the step's CPU). The ids are {@code long}s and
 * the literals plain words, so nothing but digits, commas and checked words enters the text. A
 * statement whose text is complete runs as a plain statement.
 */
public final class SqlText {

    private static final Pattern MARKER = Pattern.compile("\\{\\{([A-Za-z]+)}}");

    private static final Pattern PLAIN_LITERAL = Pattern.compile("[^'\\\\\\p{Cntrl}]*");

    private SqlText() {}

    /**
     * {@code sql} with the given {@code {{name}}} markers replaced; markers not given stay for a
     * later step (as {@code {{ids}}} does until each chunk).
     */
    public static String fill(String sql, Map<String, String> parts) {
        Matcher marker = MARKER.matcher(sql);
        StringBuilder filled = new StringBuilder(sql.length());
        while (marker.find()) {
            String part = parts.get(marker.group(1));
            marker.appendReplacement(filled, Matcher.quoteReplacement(part == null ? marker.group() : part));
        }
        marker.appendTail(filled);
        return filled.toString();
    }

    /**
     * The statement with its {@code {{ids}}} replaced by the ids as number literals; it must have
     * no other marker left.
     */
    public static String withIds(String sql, Collection<Long> ids) {
        StringBuilder list = new StringBuilder(ids.size() * 8);
        for (long id : ids) {
            if (!list.isEmpty()) {
                list.append(',');
            }
            list.append(id);
        }
        String complete = sql.replace("{{ids}}", list);
        if (complete.contains("{{")) {
            throw new IllegalStateException("a {{marker}} was left in: " + sql);
        }
        return complete;
    }

    /**
     * A configured value as an SQL string literal. {@code ReconcilerProperties} admits only
     * letters, digits, {@code _}, {@code -} and {@code .} in the statuses and the Message-ID
     * domain; a value with a quote, a backslash or a control character is refused here rather
     * than escaped, so the literal means the same whatever the server's
     * {@code NO_BACKSLASH_ESCAPES}.
     */
    public static String literal(String value) {
        if (!PLAIN_LITERAL.matcher(value).matches()) {
            throw new IllegalArgumentException("not usable as a plain SQL literal: " + value);
        }
        return "'" + value + "'";
    }

    /** Values as a comma-separated list of {@link #literal}s. */
    public static String literals(Collection<String> values) {
        return String.join(",", values.stream().map(SqlText::literal).toList());
    }
}
