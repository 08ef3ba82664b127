package shop.reconciler.audit;

/**
 * Who acts, through what, and why: the OS user of the command line or the console account, and
 * the operator's reason if they gave one.
 *
 * @param channel {@code cli} or {@code console}
 * @param name the OS user ({@code user.name}) or the console account
 * @param reason the operator's own words, or null
 */
public record Actor(String channel, String name, String reason) {

    /** The longest reason kept, in characters (the column's length). */
    public static final int MAX_REASON = 1000;

    public Actor {
        reason = reason == null || reason.isBlank() ? null : reason.strip();
    }

    /** The person at the command line: the OS user of this process. */
    public static Actor cli(String reason) {
        String user = System.getProperty("user.name");
        return new Actor("cli", user == null || user.isBlank() ? "unknown" : user, reason);
    }

    public static Actor console(String account, String reason) {
        return new Actor("console", account, reason);
    }

    /** Why this reason cannot be kept, or null when it can (none at all is fine). */
    public static String problemWith(String reason) {
        if (reason != null && reason.strip().codePointCount(0, reason.strip().length()) > MAX_REASON) {
            return "a reason is at most " + MAX_REASON + " characters";
        }
        return null;
    }
}
