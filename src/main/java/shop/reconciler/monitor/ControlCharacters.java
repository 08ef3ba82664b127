package shop.reconciler.monitor;

/**
 * Makes text from the shop's data (an order code, an address, a task's error) safe to write to a
 * terminal or a log: every control character is replaced by a visible escape, so that such text
 * can neither move the cursor, clear or recolour the screen (ESC, the C1 controls) nor start a
 * line of its own that looks like a log line (CR, LF, the Unicode line and paragraph
 * separators). {@code \r}, {@code \n} and {@code \t} become those two characters; any other
 * control character becomes {@code \}{@code uXXXX}, as in a JSON string.
 */
public final class ControlCharacters {

    private ControlCharacters() {}

    /** {@code text} with every control character escaped; {@code null} stays {@code null}. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int first = firstToEscape(text);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static int firstToEscape(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (needsEscape(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional
     * overrides and isolates (which reorder what a terminal shows).
     */
    static boolean needsEscape(char c) {
        return c < 0x20
                || (c >= 0x7f && c <= 0x9f)
                || c == '\u2028'
                || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069');
    }
}
