package shop.reconciler.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import shop.reconciler.OrderReconcilerApplication;

/**
 * Runs the real command line in this JVM, as {@code java -jar order-reconciler.jar <args>} would,
 * and captures what it prints. For tests outside this package ({@link Cli#execute(Class,
 * PrintStream, PrintStream, String...)} is package-private).
 */
public final class CliRunner {

    private CliRunner() {}

    /** The exit code and what the command wrote to standard output and standard error. */
    public record Result(int exit, String out, String err) {

        /** For assertion messages: everything the command printed. */
        public String describe() {
            return "exit " + exit + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    public static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Cli.execute(
                OrderReconcilerApplication.class,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                args);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
