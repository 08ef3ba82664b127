package shop.reconciler.config;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * {@link ReconcilerProperties} for tests, bound and validated the way the application binds them:
 * every key not set here has its default from the record's {@code @DefaultValue}, so no test
 * repeats a default, and a test that adds a key needs no change here.
 *
 * <pre>{@code
 * ReconcilerProperties properties = ReconcilerPropertiesBuilder.properties()
 *         .set("chunk-size", 100)
 *         .set("mail.end-of-data-timeout", Duration.ofSeconds(2))
 *         .build();
 * }</pre>
 */
public final class ReconcilerPropertiesBuilder {

    private final Map<String, String> values = new LinkedHashMap<>();

    private ReconcilerPropertiesBuilder() {}

    /** The defaults, before any {@link #set}. */
    public static ReconcilerPropertiesBuilder properties() {
        return new ReconcilerPropertiesBuilder();
    }

    /**
     * Sets a key, written below {@code reconciler.} ({@code "mail.chunk-size"}), to a value in its
     * configuration form: a {@link Duration} in ISO-8601, a collection comma-separated, anything
     * else as {@link String#valueOf}.
     */
    public ReconcilerPropertiesBuilder set(String key, Object value) {
        values.put("reconciler." + key, text(value));
        return this;
    }

    /** The keys set so far, as the application would read them, with the prefix. */
    public Map<String, String> keys() {
        return Map.copyOf(values);
    }

    /**
     * Binds and validates.
     *
     * @throws org.springframework.boot.context.properties.bind.BindException as at start-up, for a
     *     value that breaks a rule; {@link ConfigurationErrors#describe} says it in one line
     */
    public ReconcilerProperties build() {
        return ReconcilerProperties.bind(new Binder(new MapConfigurationPropertySource(values)));
    }

    /** {@code build().mail()}. */
    public ReconcilerProperties.Mail mail() {
        return build().mail();
    }

    private static String text(Object value) {
        if (value instanceof Collection<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }
}
