package shop.reconciler.notify;

import java.nio.charset.StandardCharsets;

/**
 * The Message-ID of an order's notification, derived from the order code alone, so that a copy
 * sent again after a crash carries the same id and receivers can drop it.
 */
public final class StableMessageId {

    private StableMessageId() {}

    /** {@code <order-CODE@domain>}, with any byte outside {@code [A-Za-z0-9_-]} of the code as {@code .XX}. */
    public static String of(String orderCode, String domain) {
        StringBuilder id = new StringBuilder("<order-");
        for (byte b : orderCode.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                id.append(c);
            } else {
                id.append('.').append(String.format("%02X", b & 0xff));
            }
        }
        return id.append('@').append(domain).append('>').toString();
    }
}
