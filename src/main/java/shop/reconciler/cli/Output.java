package shop.reconciler.cli;

import java.time.Duration;
import shop.reconciler.text.Durations;
import shop.reconciler.text.Printable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * How commands print what came from the shop or the mail server. Text output goes to an operator's
 * terminal, and an order code, a course title or an SMTP reply may hold any character the columns
 * admit: an ESC could recolour or rewrite the screen, a CR or LF could forge a line of the report,
 * a bidirectional override could reverse what follows it. {@link #text} shows each such character
 * as a visible escape instead; {@code --json} output is escaped by the JSON writer, which writes an
 * {@code Instant} as ISO-8601 UTC and a {@code Duration} the way the configuration does ({@code 7d}).
 */
final class Output {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .addModule(new SimpleModule("durations").addSerializer(Duration.class, new DurationText()))
            .build();

    private Output() {}

    /** The value with control and invisible formatting characters escaped ({@link Printable}). */
    static String text(String value) {
        return Printable.of(value);
    }

    /** The value as indented JSON. */
    static String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    /** {@code 7d}, {@code 30s}: as {@code reconciler.*} keys are written. */
    private static final class DurationText extends StdSerializer<Duration> {
        DurationText() {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration value, JsonGenerator generator, SerializationContext context) {
            generator.writeString(Durations.format(value));
        }
    }
}
