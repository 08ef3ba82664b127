package shop.reconciler.db;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Which of the shop's tables have the indexes that make the reconciler fast, found by their leading
 * columns (any name will do): {@code check} reports them, and the reader's page query names the
 * orders' one in an index hint where the server would otherwise scan it from its start.
 */
public final class ShopIndexes {

    /** An index name that can go into a hint as it is. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_$]{1,64}");

    private ShopIndexes() {}

    /** The name of an index of {@code table} whose first two columns are {@code first}, {@code second}. */
    public static Optional<String> find(DatabaseMetaData meta, String table, String first, String second)
            throws SQLException {
        return find(meta, table, List.of(first, second));
    }

    /** The name of an index of {@code table} whose first columns are {@code leading}, in this order. */
    public static Optional<String> find(DatabaseMetaData meta, String table, List<String> leading) throws SQLException {
        Map<String, TreeMap<Integer, String>> columnsByIndex = new TreeMap<>();
        try (ResultSet rs = meta.getIndexInfo(meta.getConnection().getCatalog(), null, table, false, false)) {
            while (rs.next()) {
                String index = rs.getString("INDEX_NAME");
                String column = rs.getString("COLUMN_NAME");
                if (index != null && column != null) {
                    columnsByIndex
                            .computeIfAbsent(index, k -> new TreeMap<>())
                            .put((int) rs.getShort("ORDINAL_POSITION"), column.toLowerCase(Locale.ROOT));
                }
            }
        }
        return columnsByIndex.entrySet().stream()
                .filter(e -> {
                    List<String> ordered = new ArrayList<>(e.getValue().values());
                    return ordered.size() >= leading.size()
                            && ordered.subList(0, leading.size()).equals(leading);
                })
                .map(Map.Entry::getKey)
                .findFirst();
    }

    /**
     * The index on {@code orders (order_status, id)} as a hint for {@link Dialect#forceIndex}, if
     * the table has one with a plain name; empty otherwise (the query then runs without a hint,
     * correct and slower).
     */
    public static Optional<String> ordersByStatusAndId(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return find(connection.getMetaData(), "orders", "order_status", "id")
                    .filter(name -> PLAIN_NAME.matcher(name).matches());
        } catch (SQLException e) {
            return Optional.empty();
        }
    }
}
