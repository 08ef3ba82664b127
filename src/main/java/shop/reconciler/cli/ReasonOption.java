package shop.reconciler.cli;

import picocli.CommandLine.Option;
import shop.reconciler.audit.Actor;

/**
 * {@code --reason TEXT} of the commands that act ({@code restart}, {@code stop}, {@code abandon},
 * {@code requeue}): the operator's why, checked before the application starts and recorded with
 * the action in the audit trail.
 */
final class ReasonOption {

    @Option(
            names = "--reason",
            paramLabel = "TEXT",
            description = "why, in your own words: kept in the audit trail (at most 1000 characters)")
    String reason;

    /** Refuses a reason the audit trail would not keep (a usage error). */
    void check() {
        String problem = Actor.problemWith(reason);
        if (problem != null) {
            throw new Cli.UsageException("--reason: " + problem);
        }
    }

    /** Who acts: the operator at this command line, with their reason. */
    Actor actor() {
        return Actor.cli(reason);
    }
}
