package shop.reconciler.cli;

/**
 * What several commands accept alike, checked where picocli's annotations cannot say it: a
 * {@code --limit}, an execution id ({@link ReasonOption} is {@code --reason}).
 */
final class Arguments {

    private Arguments() {}

    static void limit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new Cli.UsageException("--limit takes a number from 1 to 1000, got '" + limit + "'");
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
