package shop.reconciler.cli;

import org.springframework.core.annotation.Order;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code help [<command>]}: the list of commands, or one command's options. */
@Order(160)
@Command(name = "help", description = "this help, or a command's: help <command>")
final class HelpCommand implements CliCommand.Standalone {

    @Parameters(arity = "0..1", paramLabel = "<command>", description = "the command to explain")
    String command;

    @Override
    public String text(CommandLine top) {
        if (command == null) {
            return Cli.usage();
        }
        CommandLine sub = Cli.subcommand(top, command);
        if (sub == null) {
            throw new Cli.UsageException("help: unknown command '" + command + "'; commands: "
                    + String.join(", ", top.getSubcommands().keySet()));
        }
        return Cli.usage(sub);
    }
}
