package shop.reconciler.operations;

import shop.reconciler.text.Printable;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * How commands print what came from the shop or the mail server. Text output goes to an operator's
 * terminal, and an order code, a course title or an SMTP reply may hold any character the columns
 * admit: an ESC could recolour or rewrite the screen, a CR or LF could forge a line of the report,
 * a bidirectional override could reverse what follows it. {@link #text} shows each such character
 * as a visible escape instead; {@code --json} output is escaped by the JSON writer.
 */
final class Output {

    private static final JsonMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Output() {}

    /** The value with control and invisible formatting characters escaped ({@link Printable}). */
    static String text(String value) {
        return Printable.of(value);
    }

    /** The value as indented JSON. */
    static String json(Object value) {
        return JSON.writeValueAsString(value);
    }
}
