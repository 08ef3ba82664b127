package shop.reconciler.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;

/**
 * One command of the command line: a picocli {@code @Command} class in this package, its options
 * its fields, a Spring bean with the operations it renders (constructor injection), and its place
 * in the list of commands ({@code @Order}). Adding a command is adding one such class.
 *
 * <ol>
 *   <li>Before Spring starts, {@link Cli} makes an instance of every command without collaborators
 *       (a command's constructor only stores them) and parses the command line into the one named:
 *       a usage error exits 2 without a context, and {@link #check()} says what picocli's
 *       annotations cannot.
 *   <li>The application starts as the command needs it ({@link #serves()}, {@link #migrates()},
 *       ...); then the command's Spring bean gets the same options and {@link #run} runs.
 * </ol>
 */
interface CliCommand {

    /** Refuses a combination or a range of options picocli cannot check ({@link Cli.UsageException}). */
    default void check() {}

    /** The long-running web application ({@code serve}) instead of a short command. */
    default boolean serves() {
        return false;
    }

    /** Whether the command's meters go to the Pushgateway at its end, when one is configured. */
    default boolean pushesMetrics() {
        return false;
    }

    /** Whether the start applies pending migrations; a command that only reports or mends the schema does not. */
    default boolean migrates() {
        return true;
    }

    /** Settings the command always runs with, above the environment and below the command line. */
    default Map<String, String> settings() {
        return Map.of();
    }

    /**
     * What the command prints when the application cannot start for a reason other than its
     * configuration (exit code), or empty for the usual one-line error.
     */
    default Optional<Integer> startFailed(RuntimeException e, PrintStream out) {
        return Optional.empty();
    }

    /** Runs the command in the started application; the exit code. */
    int run(PrintStream out, PrintStream err) throws InterruptedException;

    /** A command that prints a text made from the command line itself, with no application. */
    interface Standalone extends CliCommand {
        String text(picocli.CommandLine top);

        @Override
        default int run(PrintStream out, PrintStream err) {
            throw new IllegalStateException("a standalone command runs without the application");
        }
    }
}
