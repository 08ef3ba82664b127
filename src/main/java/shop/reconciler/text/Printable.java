package shop.reconciler.text;

/**
 * Shop text (an order code, a course title, an address, an error the database or the mail server
 * gave) as it may appear on an operator's terminal or in a log line. Such text may hold any
 * character the columns admit: an ESC could recolour or rewrite the screen, a CR or LF could forge
 * a line of a report or of the log, a bidirectional override could reverse what follows it. Every
 * such character is shown as a visible escape instead. The one place that decides what is escaped;
 * {@code --json} output is escaped by the JSON writer.
 */
public final class Printable {

    private Printable() {}

    /**
     * The value with every control character (C0, DEL, C1) and every invisible formatting
     * character (bidirectional controls, zero-width ones) written as an escape: {@code \n},
     * {@code \r}, {@code \t}, {@code \e}, else {@code \xNN} or {@code <U+NNNN>}. A backslash is
     * kept as it is, so that paths stay readable: a literal {@code \e} in the data looks like an
     * escaped ESC, and {@code --json} is the unambiguous form. Null stays {@code null}, for the
     * caller to say what a missing value means.
     */
    public static String of(String value) {
        if (value == null) {
            return null;
        }
        StringBuilder safe = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String escape = escape(c);
            if (escape == null) {
                if (safe != null) {
                    safe.append(c);
                }
                continue;
            }
            if (safe == null) {
                safe = new StringBuilder(value.length() + 16).append(value, 0, i);
            }
            safe.append(escape);
        }
        return safe == null ? value : safe.toString();
    }

    private static String escape(char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            case 0x1b:
                return "\\e";
            default:
                if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                    return String.format("\\x%02X", (int) c);
                }
                if (isInvisibleControl(c)) {
                    return String.format("<U+%04X>", (int) c);
                }
                return null;
        }
    }

    /**
     * Bidirectional controls, zero-width characters other than the joiner (which emoji sequences
     * need), the byte-order mark and the Unicode line and paragraph separators.
     */
    private static boolean isInvisibleControl(char c) {
        return (c >= '\u200B' && c <= '\u200F' && c != '\u200D')
                || (c >= '\u2028' && c <= '\u202E')
                || (c >= '\u2060' && c <= '\u2069')
                || c == '\uFEFF';
    }
}
