package shop.reconciler.text;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that removes secrets from text an operator sees: every command's standard output
 * and error ({@link #printStream}) and every log line (the log pattern's message and exception
 * converters). It replaces with {@code ***}:
 *
 * <ol>
 *   <li>the value of any {@code key=value} whose key names a secret ({@code password},
 *       {@code pwd}, {@code passwd}, {@code secret}, {@code token}, and keys ending in one of them,
 *       such as {@code spring.datasource.password} or {@code trustCertificateKeyStorePassword}), in
 *       a JDBC URL's query, a MySQL key-value host ({@code (host=h,password=p)}), a command-line
 *       setting or anywhere else, and the same keys as JSON members;
 *   <li>the password of a URL's user info ({@code jdbc:mysql://user:pass@host/db},
 *       {@code smtp://user:pass@host});
 *   <li>the configured secrets themselves, wherever they appear, once {@link #registerSecret} has
 *       been told them (the datasource's and the SMTP server's passwords, at start-up), if they are
 *       at least {@value #MIN_LITERAL_LENGTH} characters long: a shorter value would also match
 *       ordinary words, and is removed in the forms above only.
 * </ol>
 */
public final class Redaction {

    /** What a removed secret is replaced by. */
    public static final String MASK = "***";

    static final int MIN_LITERAL_LENGTH = 6;

    private static final String SECRET_KEY = "(?:[A-Za-z0-9_.-]*?(?:password|passwd|pwd|secret|token))";

    /** {@code key=value} with a secret key; the value runs to the next separator of URLs, lists or words. */
    private static final Pattern KEY_VALUE =
            Pattern.compile("(?i)(\\b" + SECRET_KEY + "\\s*=\\s*)(\"[^\"]*\"|'[^']*'|[^&;,)\\s\"']*)");

    /** {@code "password": "value"} in JSON. */
    private static final Pattern JSON_MEMBER =
            Pattern.compile("(?i)(\"" + SECRET_KEY + "\"\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"");

    /** {@code scheme://user:password@host}: the password of a URL's user info. */
    private static final Pattern USER_INFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://[^\\s/:@?#]*):[^\\s/@?#]*@");

    private static final Set<String> SECRETS = new ConcurrentSkipListSet<>(
            Comparator.comparingInt(String::length).reversed().thenComparing(s -> s));

    private Redaction() {}

    /**
     * Remembers a configured secret, so that it is removed from every later output even where it
     * appears without a key (in a driver's or server's message, say).
     */
    public static void registerSecret(String secret) {
        if (secret != null && secret.length() >= MIN_LITERAL_LENGTH) {
            SECRETS.add(secret);
        }
    }

    /** {@code text} with every secret replaced by {@value #MASK}; {@code null} stays {@code null}. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : List.copyOf(SECRETS)) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        result = replace(KEY_VALUE, result, m -> m.group(1) + MASK);
        result = replace(JSON_MEMBER, result, m -> m.group(1) + "\"" + MASK + "\"");
        return replace(USER_INFO, result, m -> m.group(1) + ":" + MASK + "@");
    }

    private static String replace(Pattern pattern, String text, java.util.function.Function<Matcher, String> with) {
        Matcher matcher = pattern.matcher(text);
        if (!matcher.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        do {
            matcher.appendReplacement(out, Matcher.quoteReplacement(with.apply(matcher)));
        } while (matcher.find());
        matcher.appendTail(out);
        return out.toString();
    }

    /**
     * A print stream that writes to {@code target} what it is given with every secret removed,
     * line by line: a line is redacted as a whole once its end arrives, an unfinished last line
     * when the stream is closed (which leaves {@code target} open).
     */
    public static PrintStream printStream(PrintStream target) {
        return new PrintStream(new RedactingOutputStream(target), true, StandardCharsets.UTF_8);
    }

    /** Buffers bytes up to a line feed, then writes the redacted line. */
    private static final class RedactingOutputStream extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final PrintStream target;

        RedactingOutputStream(PrintStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                writeLine();
            }
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                write(bytes[i]);
            }
        }

        @Override
        public synchronized void flush() {
            // A print stream flushes after every print: a line is only complete at its end.
            target.flush();
        }

        @Override
        public synchronized void close() {
            // The rest of an unfinished line; the target (standard output, say) stays open.
            writeLine();
            target.flush();
        }

        private void writeLine() {
            if (line.size() > 0) {
                target.print(redact(line.toString(StandardCharsets.UTF_8)));
                line.reset();
            }
        }
    }
}
