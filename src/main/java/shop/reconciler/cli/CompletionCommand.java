package shop.reconciler.cli;

import org.springframework.core.annotation.Order;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code completion}: a bash (and zsh) completion script, from the commands' own declarations. */
@Order(150)
@Command(
        name = "completion",
        description = "a bash (and zsh) completion script for jobs/reconcile-orders:"
                + " source <(jobs/reconcile-orders completion)")
final class CompletionCommand implements CliCommand.Standalone {

    @Override
    public String text(CommandLine top) {
        return AutoComplete.bash("reconcile-orders", top);
    }
}
