package shop.reconciler.cli;

import java.io.PrintStream;
import picocli.CommandLine.Option;

/**
 * A command that renders one answer of a service: as indented JSON with {@code --json}, else as
 * text for a terminal ({@link Output#text} on whatever came from the shop or the mail server); its
 * exit code from the answer, whichever the form.
 *
 * @param <T> the service's view model
 */
abstract class ReportCommand<T> implements CliCommand {

    @Option(names = "--json", description = "JSON instead of text")
    boolean json;

    /** The service's answer; null when there is none to render (the command said why on {@code err}). */
    abstract T answer(PrintStream err);

    /** The answer as text. */
    abstract void print(T answer, PrintStream out);

    /** The exit code of an answer: 0 unless the command says otherwise. */
    int exitCode(T answer) {
        return ExitCodes.OK;
    }

    @Override
    public final int run(PrintStream out, PrintStream err) {
        T answer = answer(err);
        if (answer == null) {
            return ExitCodes.FAILED;
        }
        if (json) {
            out.println(Output.json(answer));
        } else {
            print(answer, out);
        }
        return exitCode(answer);
    }
}
