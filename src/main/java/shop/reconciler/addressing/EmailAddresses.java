package shop.reconciler.addressing;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.IDN;
import java.nio.charset.StandardCharsets;

/**
 * Decides whether a shop's {@code user_email} can be carried by SMTP, and in which form.
 *
 * <ol>
 *   <li>Blank, control characters (a header injection attempt) or more than one address: refused.
 *   <li>Parsed strictly as RFC 822; a display name ({@code Jane <jane@example.com>}) is dropped.
 *   <li>An internationalised domain is sent in its ASCII (punycode) form.
 *   <li>A non-ASCII local part would need SMTPUTF8, which is not enabled: refused.
 *   <li>Longer than SMTP allows (64 octets local part, 254 in all): refused.
 * </ol>
 */
public final class EmailAddresses {

    private EmailAddresses() {}

    /** The outcome: either an address to send to, or the reason there is none. */
    public record Checked(String address, String problem) {
        public boolean ok() {
            return address != null;
        }
    }

    public static boolean isValid(String raw) {
        return check(raw).ok();
    }

    public static Checked check(String raw) {
        if (raw == null || raw.isBlank()) {
            return refused("no recipient address");
        }
        String trimmed = raw.strip();
        if (trimmed.chars().anyMatch(Character::isISOControl)) {
            return refused("recipient address contains control characters");
        }
        InternetAddress parsed;
        try {
            InternetAddress[] all = InternetAddress.parseHeader(trimmed, true);
            if (all.length != 1) {
                return refused("recipient must be exactly one address, found " + all.length);
            }
            parsed = all[0];
            parsed.validate();
        } catch (AddressException e) {
            return refused("invalid recipient address: " + e.getMessage());
        }
        String address = parsed.getAddress();
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            return refused("invalid recipient address: no domain");
        }
        String local = address.substring(0, at);
        String domain;
        try {
            domain = IDN.toASCII(address.substring(at + 1), IDN.USE_STD3_ASCII_RULES);
        } catch (IllegalArgumentException e) {
            return refused("invalid recipient domain: " + e.getMessage());
        }
        if (!domain.contains(".") || domain.startsWith(".") || domain.endsWith(".")) {
            return refused("invalid recipient domain: '" + domain + "'");
        }
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(local)) {
            return refused("recipient local part is not ASCII (needs SMTPUTF8, not enabled)");
        }
        if (local.length() > 64) {
            return refused("recipient local part longer than 64 characters");
        }
        String ascii = local + "@" + domain;
        if (ascii.length() > 254) {
            return refused("recipient address longer than 254 characters");
        }
        return new Checked(ascii, null);
    }

    private static Checked refused(String problem) {
        return new Checked(null, problem);
    }
}
