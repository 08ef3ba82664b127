package shop.reconciler.addressing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The Message-ID of an order's notification: the one definition, used when the row is written
 * and checked again before it becomes a header. It is derived from the order code and the
 * configured domain alone, so that a copy sent again after a crash carries the same id and
 * receivers can drop it.
 *
 * <ol>
 *   <li>{@code <order-CODE@domain>}, every byte of the code's UTF-8 outside {@code [A-Za-z0-9_-]}
 *       written as {@code .XX} (two upper-case hex digits), when that is at most {@link #MAX_LENGTH}
 *       characters: every id this has ever produced for such a code stays the same.
 *   <li>Otherwise (a long code of escaped characters: 26 CJK characters already pass 255)
 *       {@code <order.sha256.HEX@domain>}, the SHA-256 of the code's UTF-8 in 64 lower-case hex
 *       digits. The two forms cannot meet: the first starts {@code order-}, the second {@code order.}.
 * </ol>
 *
 * Both are a valid {@code msg-id} (RFC 5322, dot-atom on both sides) of at most 255 characters
 * (the {@code message_id} column) for any code and any domain of at most {@link #MAX_DOMAIN_LENGTH}
 * characters.
 */
public final class MessageIds {

    /** The {@code message_id} column's length. */
    public static final int MAX_LENGTH = 255;

    /** The longest domain with which the hashed form still fits {@link #MAX_LENGTH}. */
    public static final int MAX_DOMAIN_LENGTH = MAX_LENGTH - "<order.sha256.@>".length() - 64;

    /** A domain usable on the right-hand side: dot-separated labels of letters, digits and hyphens. */
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*");

    /** What either form produces: a dot-atom of the characters the encodings use, then the domain. */
    private static final Pattern WELL_FORMED =
            Pattern.compile("<order(-[A-Za-z0-9_-]*(\\.[0-9A-F]{2}[A-Za-z0-9_-]*)*|\\.sha256\\.[0-9a-f]{64})@"
                    + DOMAIN.pattern() + ">");

    private MessageIds() {}

    /** Whether {@code domain} may be the right-hand side of the Message-ID. */
    public static boolean isUsableDomain(String domain) {
        return domain != null
                && domain.length() <= MAX_DOMAIN_LENGTH
                && DOMAIN.matcher(domain).matches();
    }

    /** The stable Message-ID of the order with this code. */
    public static String of(String orderCode, String domain) {
        Objects.requireNonNull(orderCode, "orderCode");
        if (!isUsableDomain(domain)) {
            throw new IllegalArgumentException("not a usable Message-ID domain: " + domain);
        }
        byte[] code = orderCode.getBytes(StandardCharsets.UTF_8);
        StringBuilder id = new StringBuilder("<order-");
        for (byte b : code) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                id.append(c);
            } else {
                id.append('.').append(String.format("%02X", b & 0xff));
            }
        }
        id.append('@').append(domain).append('>');
        if (id.length() <= MAX_LENGTH) {
            return id.toString();
        }
        return "<order.sha256." + HexFormat.of().formatHex(sha256(code)) + "@" + domain + ">";
    }

    /**
     * The Message-ID to put in the header: {@code stored} when it is one this class produces for
     * this order code (well formed, at most {@link #MAX_LENGTH} characters; its domain may be one
     * configured before, so that a copy sent after a change keeps the id of the first), else the
     * one computed from the order code again.
     */
    public static String checked(String stored, String orderCode, String domain) {
        String fresh = of(orderCode, domain);
        if (stored != null
                && stored.length() <= MAX_LENGTH
                && WELL_FORMED.matcher(stored).matches()
                && localPart(stored).equals(localPart(fresh))) {
            return stored;
        }
        return fresh;
    }

    private static String localPart(String id) {
        return id.substring(0, id.lastIndexOf('@'));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
