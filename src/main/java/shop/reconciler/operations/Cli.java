package shop.reconciler.operations;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import picocli.AutoComplete;
import picocli.CommandLine;
import shop.reconciler.InvalidConfigurationException;
import shop.reconciler.OrderReconcilerApplication;
import shop.reconciler.ReconcilerProperties;
import shop.reconciler.db.Migrations;
import shop.reconciler.monitor.Redaction;

/**
 * The command line: {@code <command> [options] [--spring.key=value ...]}. Arguments of the form
 * {@code --some.key=value} go to Spring Boot; the rest belong to the command and are parsed by
 * picocli before anything starts. Expected failures end with one line on standard error, never a
 * stack trace: exit 2 for a usage or configuration error, 1 for a failure.
 */
public final class Cli {

    private static final Logger log = LoggerFactory.getLogger(Cli.class);

    static final String DEMO_DATABASE =
            "jdbc:h2:mem:demo-shop;MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE;DB_CLOSE_DELAY=-1";

    /**
     * The commands, each with the class that declares its arguments for picocli. The command word
     * is the constant's name in lower case, in any case on the command line.
     */
    enum Command {
        SERVE(Arguments.Serve::new),
        RUN(Arguments.Run::new),
        RESTART(Arguments.Restart::new),
        STOP(Arguments.Stop::new),
        ABANDON(Arguments.Abandon::new),
        STATUS(Arguments.Status::new),
        CHECK(Arguments.Check::new),
        DEMO(Arguments.Demo::new),
        EXPLAIN(Arguments.Explain::new),
        NOTIFICATIONS(Arguments.Notifications::new),
        REQUEUE(Arguments.Requeue::new),
        PLAN(Arguments.Plan::new),
        AUDIT(Arguments.Audit::new),
        REPAIR(Arguments.Repair::new),
        COMPLETION(Arguments.Completion::new),
        HELP(Arguments.Help::new);

        private final Supplier<Object> arguments;

        Command(Supplier<Object> arguments) {
            this.arguments = arguments;
        }

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Command parse(String word) {
            for (Command command : values()) {
                if (command.name().equalsIgnoreCase(word)) {
                    return command;
                }
            }
            return null;
        }
    }

    /**
     * What was asked: the command, its own arguments as given and as parsed (an instance of its
     * {@link Arguments} class; for {@link Command#HELP} and {@link Command#COMPLETION}, the text to
     * print), and the arguments for
     * Spring Boot.
     */
    record Invocation(Command command, List<String> options, String[] springArgs, Object arguments) {}

    /** The top of the command tree; its subcommands come from {@link Command}. */
    @CommandLine.Command(name = "order-reconciler")
    private static final class Top {
        @CommandLine.Option(
                names = {"-h", "--help"},
                usageHelp = true)
        boolean help;
    }

    private Cli() {}

    public static int execute(String... args) {
        return execute(System.out, System.err, args);
    }

    static int execute(PrintStream out, PrintStream err, String... args) {
        try (PrintStream redactedOut = Redaction.printStream(out);
                PrintStream redactedErr = Redaction.printStream(err)) {
            return executeRedacted(redactedOut, redactedErr, args);
        }
    }

    /** Everything a command prints goes through {@link Redaction}: no secret reaches the screen. */
    private static int executeRedacted(PrintStream out, PrintStream err, String... args) {
        Invocation invocation;
        try {
            invocation = parse(args);
        } catch (UsageException e) {
            err.println("order-reconciler: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (invocation.command() == Command.HELP || invocation.command() == Command.COMPLETION) {
            out.print(invocation.arguments());
            return ExitCodes.OK;
        }
        SpringApplication application = new SpringApplication(OrderReconcilerApplication.class);
        application.setBannerMode(Banner.Mode.OFF);
        application.setLogStartupInfo(false);
        application.setWebApplicationType(
                invocation.command() == Command.SERVE ? WebApplicationType.SERVLET : WebApplicationType.NONE);
        // SIGTERM is handled below: Spring's own hook would close the context under a running job.
        application.setRegisterShutdownHook(false);
        application.addInitializers(context -> {
            overrides(invocation.command(), context.getEnvironment().getPropertySources());
            // Every reconciler.* value is checked before anything touches the database.
            Binder.get(context.getEnvironment()).bindOrCreate("reconciler", ReconcilerProperties.class);
            if (context.getEnvironment()
                    .getProperty("spring.datasource.url", "")
                    .isBlank()) {
                throw new InvalidConfigurationException(
                        "spring.datasource.url",
                        "not set: point SPRING_DATASOURCE_URL at the shop database (or try 'demo')");
            }
        });
        ConfigurableApplicationContext context;
        try {
            context = application.run(invocation.springArgs());
        } catch (RuntimeException e) {
            if (invocation.command() == Command.CHECK && !isConfigurationError(e)) {
                out.println("FAIL database: " + JobRunner.firstLine(JobRunner.rootMessage(e)));
                return ExitCodes.FAILED;
            }
            return startupFailure(e, err);
        }
        ShutdownCoordinator shutdown = context.getBean(ShutdownCoordinator.class);
        Duration timeout = context.getBean(ReconcilerProperties.class).shutdownTimeout();
        Thread hook = new Thread(() -> shutdown.onSignal(timeout), "sigterm");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return context.getBean(Commands.class).execute(invocation, out, err);
        } catch (UsageException e) {
            err.println("order-reconciler: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("order-reconciler: interrupted");
            return ExitCodes.FAILED;
        } catch (RuntimeException e) {
            err.println("order-reconciler: " + invocation.command().name().toLowerCase(Locale.ROOT) + " failed: "
                    + JobRunner.firstLine(JobRunner.rootMessage(e)));
            return ExitCodes.FAILED;
        } finally {
            context.close();
            shutdown.finished();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: it returns now that the command has finished.
            }
        }
    }

    /** The Prometheus registry (and, when configured, Boot's Pushgateway support). */
    static final String PROMETHEUS_EXPORT =
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration";

    /** Boot's Pushgateway keys. */
    static final String PUSHGATEWAY = "management.prometheus.metrics.export.pushgateway";

    /**
     * Auto-configurations that only {@code serve} needs: Spring Security (its filter chains, and the
     * generated-password user it would log), Actuator's JVM/system meters and the Prometheus registry
     * (a command's meters go to a plain in-memory registry; {@code run} and {@code restart} keep the
     * Prometheus registry when they push to a Pushgateway). By class name, so that a name whose
     * starter is not on the classpath is simply ignored.
     */
    static final List<String> SERVE_ONLY_AUTO_CONFIGURATIONS = List.of(
            "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.rsocket.RSocketSecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.jvm.JvmMetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.system.SystemMetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.logging.log4j2.Log4J2MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.startup.StartupTimeMetricsListenerAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.task.TaskExecutorMetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.ssl.SslMetricsAutoConfiguration",
            PROMETHEUS_EXPORT);

    private static void overrides(Command command, MutablePropertySources sources) {
        boolean push = command == Command.RUN || command == Command.RESTART;
        if (command == Command.SERVE) {
            // serve is scraped; a push from it would mask the scheduled runs' push_time_seconds
            sources.addFirst(new MapPropertySource("serve-scraped", Map.of(PUSHGATEWAY + ".enabled", "false")));
        } else if (push
                && new Binder(ConfigurationPropertySources.from(sources))
                        .bind(PUSHGATEWAY + ".enabled", Boolean.class)
                        .orElse(false)) {
            // The run's meters go to the Pushgateway at its end (Boot's shutdown operation): the
            // Prometheus registry stays; the JVM's meters stay out. The instance defaults to the host.
            sources.addLast(new MapPropertySource(
                    "pushgateway-instance", Map.of(PUSHGATEWAY + ".grouping-key.instance", hostName())));
        } else {
            push = false;
        }
        if (command != Command.SERVE) {
            // Added to the operator's own spring.autoconfigure.exclude, if any, not instead of it.
            List<String> excludes = new ArrayList<>(SERVE_ONLY_AUTO_CONFIGURATIONS);
            if (push) {
                excludes.remove(PROMETHEUS_EXPORT);
            }
            new Binder(ConfigurationPropertySources.from(sources))
                    .bind("spring.autoconfigure.exclude", String[].class)
                    .ifBound(own -> excludes.addAll(List.of(own)));
            sources.addFirst(new MapPropertySource(
                    "serve-only", Map.of("spring.autoconfigure.exclude", String.join(",", excludes))));
        }
        if (command == Command.CHECK || command == Command.REPAIR) {
            // check reports the schema's state and repair mends its history; neither migrates.
            sources.addFirst(new MapPropertySource("check", Map.of("spring.flyway.enabled", "false")));
        }
        if (command == Command.DEMO) {
            // The demo always uses its own embedded shop, whatever the environment points at.
            MapPropertySource demo = new MapPropertySource(
                    "demo",
                    Map.of(
                            "spring.datasource.url", DEMO_DATABASE,
                            "spring.datasource.username", "sa",
                            "spring.datasource.password", "",
                            "spring.datasource.driver-class-name", "org.h2.Driver",
                            "reconciler.mail.eml-directory", "target/demo-mail"));
            if (sources.contains("commandLineArgs")) {
                sources.addAfter("commandLineArgs", demo);
            } else {
                sources.addFirst(demo);
            }
        }
    }

    /** This machine's name (a pod's name in Kubernetes, where the CronJob sets the instance itself). */
    private static String hostName() {
        String name = System.getenv("HOSTNAME");
        if (name != null && !name.isBlank()) {
            return name.strip();
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /**
     * Splits the arguments into Spring Boot's ({@code --some.key=value}: a dotted key and a value)
     * and the command's, and parses the command's with picocli.
     *
     * <ol>
     *   <li>No command word (nothing, or an option first) means {@code serve}.
     *   <li>The command word in any case; an unknown one is refused with the list of commands.
     *   <li>{@code --help} or {@code -h} after a command, or {@code help <command>}, asks for that
     *       command's help; alone, for the list of commands.
     *   <li>A wrong argument is refused with one line naming it.
     * </ol>
     */
    static Invocation parse(String... args) {
        List<String> spring = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--")
                    && arg.contains("=")
                    && arg.substring(2, arg.indexOf('=')).contains(".")) {
                spring.add(arg);
            } else {
                rest.add(arg);
            }
        }
        String[] springArgs = spring.toArray(String[]::new);
        if (!rest.isEmpty() && (rest.get(0).equals("--help") || rest.get(0).equals("-h"))) {
            return new Invocation(Command.HELP, List.copyOf(rest.subList(1, rest.size())), springArgs, usage());
        }
        if (rest.isEmpty() || rest.get(0).startsWith("-")) {
            rest.add(0, Command.SERVE.word());
        }
        CommandLine top = commandLine();
        String word = rest.get(0);
        Command command = Command.parse(word);
        if (command == null) {
            throw new UsageException("unknown command '" + word + "'; commands: "
                    + String.join(", ", top.getSubcommands().keySet()));
        }
        List<String> options = List.copyOf(rest.subList(1, rest.size()));
        CommandLine.ParseResult parsed;
        try {
            parsed = top.parseArgs(rest.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(oneLine(command, e));
        }
        CommandLine.ParseResult sub = parsed.subcommand();
        if (sub.isUsageHelpRequested()) {
            return new Invocation(
                    Command.HELP, options, springArgs, usage(sub.commandSpec().commandLine()));
        }
        Object arguments = sub.commandSpec().userObject();
        if (arguments instanceof Arguments.Help help) {
            return new Invocation(Command.HELP, options, springArgs, help(top, help.command));
        }
        if (arguments instanceof Arguments.Completion) {
            return new Invocation(Command.COMPLETION, options, springArgs, AutoComplete.bash("reconcile-orders", top));
        }
        if (arguments instanceof Arguments.Checked checked) {
            checked.check();
        }
        return new Invocation(command, options, springArgs, arguments);
    }

    /** The command tree, fresh (picocli fills the argument objects in place). */
    private static CommandLine commandLine() {
        CommandLine top = new CommandLine(new Top());
        for (Command command : Command.values()) {
            CommandLine sub = new CommandLine(command.arguments.get());
            sub.getCommandSpec()
                    .addOption(CommandLine.Model.OptionSpec.builder("-h", "--help")
                            .usageHelp(true)
                            .description("this help")
                            .build());
            sub.getCommandSpec().usageMessage().synopsisHeading("usage: ");
            top.addSubcommand(command.word(), sub);
        }
        top.setSubcommandsCaseInsensitive(true);
        top.setCaseInsensitiveEnumValuesAllowed(true);
        return top;
    }

    private static String oneLine(Command command, CommandLine.ParameterException e) {
        String hint = " (see '" + command.word() + " --help')";
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            String what = first.startsWith("-") ? "option" : "argument";
            String spring = first.startsWith("--") ? "; Spring settings look like --reconciler.chunk-size=500" : "";
            return command.word() + ": unknown " + what + " '" + first + "'" + spring + hint;
        }
        String message = JobRunner.firstLine(e.getMessage());
        return command.word() + ": " + Character.toLowerCase(message.charAt(0)) + message.substring(1) + hint;
    }

    private static String help(CommandLine top, String word) {
        if (word == null) {
            return usage();
        }
        Command command = Command.parse(word);
        if (command == null) {
            throw new UsageException("help: unknown command '" + word + "'; commands: "
                    + String.join(", ", top.getSubcommands().keySet()));
        }
        return usage(top.getSubcommands().get(command.word()));
    }

    private static String usage(CommandLine command) {
        return command.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static boolean isConfigurationError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidConfigurationException) {
                return true;
            }
        }
        return false;
    }

    private static int startupFailure(RuntimeException e, PrintStream err) {
        log.debug("start-up failed", e);
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidConfigurationException invalid) {
                err.println("order-reconciler: configuration error: " + invalid.getMessage());
                return ExitCodes.USAGE;
            }
            if (t instanceof Migrations.Refused refused) {
                err.println("order-reconciler: cannot start: " + refused.getMessage());
                return ExitCodes.FAILED;
            }
        }
        err.println("order-reconciler: cannot start: " + JobRunner.firstLine(JobRunner.rootMessage(e)));
        return ExitCodes.FAILED;
    }

    /** The list of commands, from their declarations. */
    static String usage() {
        StringBuilder text = new StringBuilder(
                "usage: java -jar order-reconciler.jar <command> [options] [--key=value ...]\ncommands:\n");
        commandLine()
                .getSubcommands()
                .forEach((word, sub) -> text.append(String.format(
                        "  %-14s %s%n",
                        word, sub.getCommandSpec().usageMessage().description()[0])));
        return text.append("Spring Boot settings may follow any command: --reconciler.chunk-size=500\n")
                .append("'<command> --help' shows a command's options; exit codes: 0 done, 1 failed or nothing")
                .append(" matched, 2 usage or configuration error, 75 the lease is held elsewhere\n")
                .toString();
    }

    /** A wrong command line: exit 2 with the message. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
