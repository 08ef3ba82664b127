package shop.reconciler.console;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.NumberFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.io.ClassPathResource;

/**
 * The console's templates ({@code classpath:console/*.mustache}), compiled once. Mustache escapes
 * every value for HTML, so shop text (order codes, titles, errors) is shown, never interpreted.
 */
final class ConsolePages {

    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter UTC_TEXT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private final Mustache.Compiler compiler =
            Mustache.compiler().defaultValue("").withLoader(name -> reader("console/" + name + ".mustache"));
    private final Map<String, Template> templates = new ConcurrentHashMap<>();

    String render(String name, Object model) {
        return templates
                .computeIfAbsent(name, n -> {
                    try {
                        return compiler.compile(reader("console/" + n + ".mustache"));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .execute(model);
    }

    private static InputStreamReader reader(String path) throws IOException {
        return new InputStreamReader(new ClassPathResource(path).getInputStream(), StandardCharsets.UTF_8);
    }

    /**
     * An instant in UTC: the ISO form for the script, the UTC text for everyone. The callers turn
     * what they read into instants first (a database-stamped time in the session's zone, a job
     * repository time in its writer's zone): a wall clock is never labelled UTC as it is.
     */
    public record When(String iso, String utc) {}

    static When when(Instant time) {
        return time == null ? null : new When(ISO.format(time), UTC_TEXT.format(time));
    }

    /** 12,345: the same separators for every viewer, whatever the server's locale. */
    static String number(long value) {
        return NumberFormat.getIntegerInstance(Locale.ENGLISH).format(value);
    }

    static String millis(Long ms) {
        if (ms == null) {
            return "-";
        }
        return ms < 10_000 ? number(ms) + " ms" : String.format(Locale.ENGLISH, "%,.1f s", ms / 1000.0);
    }
}
