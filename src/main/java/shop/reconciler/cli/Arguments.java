package shop.reconciler.cli;

/**
 * What several commands accept alike, checked where picocli's annotations cannot say it: a
 * {@code --limit}, a {@code --reason}, an execution id.
 */
final class Arguments {

    private Arguments() {}

    static final String REASON_HELP = "why, in your own words: kept in the audit trail (at most 1000 characters)";

    static void limit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new Cli.UsageException("--limit takes a number from 1 to 1000, got '" + limit + "'");
        }
    }

    static void checkReason(String reason) {
        String problem = shop.reconciler.audit.Actor.problemWith(reason);
        if (problem != null) {
            throw new Cli.UsageException("--reason: " + problem);
        }
    }

    static long executionId(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new Cli.UsageException("'" + value + "' is not an execution id");
        }
    }
}
