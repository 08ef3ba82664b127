package shop.reconciler.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The shop's two tables, from the project's copy of the shop's DDL
 * ({@code demo/shop-schema.sql}). Only the demo and the tests create them; the reconciler never
 * creates or alters them in a real shop database.
 */
public final class ShopSchema {

    private ShopSchema() {}

    public static void create(JdbcTemplate jdbc) {
        String ddl;
        try {
            ddl = new ClassPathResource("demo/shop-schema.sql").getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read demo/shop-schema.sql", e);
        }
        for (String statement : ddl.replaceAll("(?m)^--.*$", "").split(";")) {
            if (!statement.isBlank()) {
                jdbc.execute(statement);
            }
        }
    }
}
