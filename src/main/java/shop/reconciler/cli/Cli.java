package shop.reconciler.cli;

import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.OrderUtils;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import picocli.CommandLine;
import shop.reconciler.config.ConfigurationCheck;
import shop.reconciler.config.ConfigurationErrors;
import shop.reconciler.config.InvalidConfigurationException;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.operations.JobRunner;
import shop.reconciler.operations.RepairService;
import shop.reconciler.operations.ShutdownCoordinator;
import shop.reconciler.text.Redaction;

/**
 * The command line: {@code <command> [options] [--spring.key=value ...]}. Arguments of the form
 * {@code --some.key=value} go to Spring Boot; the rest belong to the command and are parsed by
 * picocli before anything starts. Expected failures end with one line on standard error, never a
 * stack trace: exit 2 for a usage or configuration error, 1 for a failure.
 *
 * <ol>
 *   <li>The commands are the {@link CliCommand} classes of this package, in their {@code @Order}.
 *   <li>The command line is parsed into an instance of the one named, made without collaborators:
 *       a usage error exits 2 before Spring starts; {@code help}, {@code --help} and
 *       {@code completion} print without starting it.
 *   <li>The application starts as the command asks ({@link #overrides}), the command's Spring bean
 *       gets the same options (picocli's factory is the application context), and it runs.
 * </ol>
 */
public final class Cli {

    private static final Logger log = LoggerFactory.getLogger(Cli.class);

    /** The command classes, in the order {@code help} lists them. */
    private static final List<Class<? extends CliCommand>> COMMANDS = commandClasses();

    /**
     * What was asked: the command word, the command parsed (for {@code help}, {@code --help} and
     * {@code completion}, null, and the text to print instead), its own arguments as given, and the
     * arguments for Spring Boot.
     */
    record Invocation(String word, CliCommand command, List<String> options, String[] springArgs, String text) {}

    /** The top of the command tree; its subcommands are the {@link CliCommand} classes. */
    @CommandLine.Command(name = "order-reconciler")
    private static final class Top {
        @CommandLine.Option(
                names = {"-h", "--help"},
                usageHelp = true)
        boolean help;
    }

    private Cli() {}

    /**
     * Runs the command line with {@code application} as Spring Boot's primary source; the exit code.
     */
    public static int execute(Class<?> application, String... args) {
        return execute(application, System.out, System.err, args);
    }

    static int execute(Class<?> application, PrintStream out, PrintStream err, String... args) {
        try (PrintStream redactedOut = Redaction.printStream(out);
                PrintStream redactedErr = Redaction.printStream(err)) {
            return executeRedacted(application, redactedOut, redactedErr, args);
        }
    }

    /** Everything a command prints goes through {@link Redaction}: no secret reaches the screen. */
    private static int executeRedacted(Class<?> primarySource, PrintStream out, PrintStream err, String... args) {
        Invocation invocation;
        try {
            invocation = parse(args);
        } catch (UsageException e) {
            err.println("order-reconciler: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (invocation.text() != null) {
            out.print(invocation.text());
            return ExitCodes.OK;
        }
        CliCommand command = invocation.command();
        if (!command.serves()) {
            // Boot's background pre-initializer builds a validator factory of its own (with the
            // expression language, which ConfigurationValidator's messages do not use) and warms
            // classes for serve's web and JSON: CPU that a short command throws away, taken from
            // the compiler's thread on a 2-CPU machine.
            System.setProperty(BACKGROUND_PREINITIALIZER_IGNORE, "true");
        }
        SpringApplication application = new SpringApplication(primarySource);
        application.setBannerMode(Banner.Mode.OFF);
        application.setLogStartupInfo(false);
        application.setWebApplicationType(command.serves() ? WebApplicationType.SERVLET : WebApplicationType.NONE);
        // SIGTERM is handled below: Spring's own hook would close the context under a running job.
        application.setRegisterShutdownHook(false);
        application.addInitializers(context -> {
            overrides(command, context.getEnvironment().getPropertySources());
            // Every reconciler.* value is checked before anything touches the database.
            ConfigurationCheck.check(Binder.get(context.getEnvironment()), settingsOf(primarySource));
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
            Optional<Integer> reported = isConfigurationError(e) ? Optional.empty() : command.startFailed(e, out);
            return reported.isPresent() ? reported.get() : startupFailure(e, err);
        }
        ShutdownCoordinator shutdown = context.getBean(ShutdownCoordinator.class);
        Duration timeout = context.getBean(ReconcilerProperties.class).shutdownTimeout();
        Thread hook = new Thread(() -> shutdown.onSignal(timeout), "sigterm");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return inContext(context, invocation).run(out, err);
        } catch (UsageException e) {
            err.println("order-reconciler: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("order-reconciler: interrupted");
            return ExitCodes.FAILED;
        } catch (RuntimeException e) {
            err.println("order-reconciler: " + invocation.word() + " failed: "
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

    /** Boot's switch for its background pre-initializer (a system property, read once per JVM). */
    static final String BACKGROUND_PREINITIALIZER_IGNORE = "spring.backgroundpreinitializer.ignore";

    /** The Prometheus registry (and, when configured, Boot's Pushgateway support). */
    static final String PROMETHEUS_EXPORT =
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration";

    /** Boot's Pushgateway keys. */
    static final String PUSHGATEWAY = "management.prometheus.metrics.export.pushgateway";

    /**
     * The packages of the auto-configurations that only {@code serve} needs: the web server, Spring
     * MVC, Spring Security (its filter chains, and the generated-password user it would log),
     * Actuator's endpoints and management context, health contributors, HTTP message converters.
     * Only serve answers HTTP, and no other command reads a health indicator. A short command's
     * context is no web application, so most of them would back off anyway, but only after each
     * class was read and its conditions evaluated: excluded, they are never read. Matched against
     * the auto-configurations Boot lists ({@code AutoConfiguration.imports}), so only names that
     * exist are excluded.
     */
    static final List<String> SERVE_ONLY_PACKAGES = List.of(
            "org.springframework.boot.actuate.autoconfigure.",
            "org.springframework.boot.health.autoconfigure.",
            "org.springframework.boot.http.converter.autoconfigure.",
            "org.springframework.boot.security.autoconfigure.",
            "org.springframework.boot.servlet.autoconfigure.",
            "org.springframework.boot.tomcat.autoconfigure.",
            "org.springframework.boot.webmvc.autoconfigure.",
            "org.springframework.boot.jdbc.autoconfigure.health.");

    /**
     * The other auto-configurations that only {@code serve} needs: Actuator's JVM/system meters and
     * the Prometheus registry (a command's meters go to a plain in-memory registry; {@code run} and
     * {@code restart} keep the Prometheus registry when they push to a Pushgateway), the mail and
     * build-info contributors of health and info. By class name, so that a name whose starter is
     * not on the classpath is simply ignored.
     */
    static final List<String> SERVE_ONLY_AUTO_CONFIGURATIONS = List.of(
            "org.springframework.boot.micrometer.metrics.autoconfigure.jvm.JvmMetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.system.SystemMetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.logging.log4j2.Log4J2MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.startup.StartupTimeMetricsListenerAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.task.TaskExecutorMetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.ssl.SslMetricsAutoConfiguration",
            "org.springframework.boot.autoconfigure.info.ProjectInfoAutoConfiguration",
            "org.springframework.boot.mail.autoconfigure.MailHealthContributorAutoConfiguration",
            PROMETHEUS_EXPORT);

    /** The auto-configurations a short command excludes: {@link #SERVE_ONLY_PACKAGES}' and the named ones. */
    static List<String> serveOnlyAutoConfigurations() {
        List<String> excludes = new ArrayList<>(SERVE_ONLY_AUTO_CONFIGURATIONS);
        for (String candidate : ImportCandidates.load(AutoConfiguration.class, Cli.class.getClassLoader())) {
            if (SERVE_ONLY_PACKAGES.stream().anyMatch(candidate::startsWith)) {
                excludes.add(candidate);
            }
        }
        return excludes;
    }

    /** What the command asks of the start ({@link CliCommand}), as property sources. */
    private static void overrides(CliCommand command, MutablePropertySources sources) {
        boolean push = command.pushesMetrics();
        if (command.serves()) {
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
        if (!command.serves()) {
            // Added to the operator's own spring.autoconfigure.exclude, if any, not instead of it.
            List<String> excludes = serveOnlyAutoConfigurations();
            if (push) {
                excludes.remove(PROMETHEUS_EXPORT);
            }
            new Binder(ConfigurationPropertySources.from(sources))
                    .bind("spring.autoconfigure.exclude", String[].class)
                    .ifBound(own -> excludes.addAll(List.of(own)));
            sources.addFirst(new MapPropertySource(
                    "serve-only", Map.of("spring.autoconfigure.exclude", String.join(",", excludes))));
        }
        if (!command.migrates()) {
            // check reports the schema's state and repair mends its history; neither migrates.
            sources.addFirst(new MapPropertySource("check", Map.of("spring.flyway.enabled", "false")));
        }
        if (!command.settings().isEmpty()) {
            // e.g. the demo's own embedded shop, whatever the environment points at
            MapPropertySource own = new MapPropertySource("command", Map.copyOf(command.settings()));
            if (sources.contains("commandLineArgs")) {
                sources.addAfter("commandLineArgs", own);
            } else {
                sources.addFirst(own);
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
            return new Invocation("help", null, List.copyOf(rest.subList(1, rest.size())), springArgs, usage());
        }
        if (rest.isEmpty() || rest.get(0).startsWith("-")) {
            rest.add(0, "serve");
        }
        CommandLine top = commandLine();
        String given = rest.get(0);
        CommandLine named = subcommand(top, given);
        if (named == null) {
            throw new UsageException("unknown command '" + given + "'; commands: "
                    + String.join(", ", top.getSubcommands().keySet()));
        }
        String word = named.getCommandName();
        List<String> options = List.copyOf(rest.subList(1, rest.size()));
        CommandLine.ParseResult parsed;
        try {
            parsed = top.parseArgs(rest.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(oneLine(word, e));
        }
        CommandLine.ParseResult sub = parsed.subcommand();
        if (sub.isUsageHelpRequested()) {
            return new Invocation(
                    "help", null, options, springArgs, usage(sub.commandSpec().commandLine()));
        }
        CliCommand command = (CliCommand) sub.commandSpec().userObject();
        if (command instanceof CliCommand.Standalone standalone) {
            return new Invocation(word, null, options, springArgs, standalone.text(top));
        }
        command.check();
        return new Invocation(word, command, options, springArgs, null);
    }

    /**
     * The command's Spring bean with the options of the command line: picocli's factory is the
     * application context, so the command and anything picocli makes for it are Spring's.
     */
    private static CliCommand inContext(ApplicationContext context, Invocation invocation) {
        CommandLine line = withHelp(new CommandLine(invocation.command().getClass(), new ContextFactory(context)));
        line.setCaseInsensitiveEnumValuesAllowed(true);
        line.parseArgs(invocation.options().toArray(String[]::new));
        return (CliCommand) line.getCommandSpec().userObject();
    }

    /** Makes what picocli asks for from the application context: the commands, with their collaborators. */
    private record ContextFactory(ApplicationContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            K bean = context.getBeanProvider(type).getIfAvailable();
            return bean != null ? bean : CommandLine.defaultFactory().create(type);
        }
    }

    /**
     * Makes each command without its collaborators, to parse the command line before Spring starts
     * (a command's constructor only stores them); the command never runs.
     */
    private static final class OptionsOnly implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (!CliCommand.class.isAssignableFrom(type)) {
                return CommandLine.defaultFactory().create(type);
            }
            Constructor<?>[] constructors = type.getDeclaredConstructors();
            if (constructors.length != 1) {
                throw new IllegalStateException(type.getSimpleName() + " needs exactly one constructor");
            }
            return type.cast(constructors[0].newInstance(new Object[constructors[0].getParameterCount()]));
        }
    }

    /**
     * The {@link CliCommand} classes of this package, in their {@code @Order}: a list, not a scan of
     * the package at every start (the scan read each class file of the package, and loaded some 330
     * classes of Spring's resource and type scanning that a plain {@code --help} needs for nothing
     * else: about a tenth of its CPU); {@code CommandListTest} scans the package and fails when a
     * command is missing here.
     */
    /**
     * The configuration records the application enables ({@code @EnableConfigurationProperties} on
     * it), checked before the context starts: one list, read by Boot and by this check.
     */
    static List<Class<?>> settingsOf(Class<?> application) {
        EnableConfigurationProperties enabled = application.getAnnotation(EnableConfigurationProperties.class);
        if (enabled == null) {
            throw new IllegalStateException(application + " names no @EnableConfigurationProperties records");
        }
        return List.of(enabled.value());
    }

    static List<Class<? extends CliCommand>> commandClasses() {
        List<Class<? extends CliCommand>> found = new ArrayList<>(List.of(
                ServeCommand.class,
                RunCommand.class,
                RestartCommand.class,
                StopCommand.class,
                AbandonCommand.class,
                StatusCommand.class,
                CheckCommand.class,
                DemoCommand.class,
                ExplainCommand.class,
                NotificationsCommand.class,
                RequeueCommand.class,
                PlanCommand.class,
                AuditCommand.class,
                RepairCommand.class,
                CompletionCommand.class,
                HelpCommand.class));
        found.sort(Comparator.comparingInt(type -> OrderUtils.getOrder(type, Integer.MAX_VALUE)));
        return List.copyOf(found);
    }

    /** The command tree, fresh (picocli fills the commands' options in place). */
    private static CommandLine commandLine() {
        CommandLine top = new CommandLine(new Top());
        OptionsOnly factory = new OptionsOnly();
        for (Class<? extends CliCommand> type : COMMANDS) {
            top.addSubcommand(withHelp(new CommandLine(type, factory)));
        }
        top.setSubcommandsCaseInsensitive(true);
        top.setCaseInsensitiveEnumValuesAllowed(true);
        return top;
    }

    /** A command's {@code -h}/{@code --help}, and its synopsis as {@code usage: ...}. */
    private static CommandLine withHelp(CommandLine command) {
        command.getCommandSpec()
                .addOption(CommandLine.Model.OptionSpec.builder("-h", "--help")
                        .usageHelp(true)
                        .description("this help")
                        .build());
        command.getCommandSpec().usageMessage().synopsisHeading("usage: ");
        return command;
    }

    /** The subcommand of that word, in any case, or null. */
    static CommandLine subcommand(CommandLine top, String word) {
        for (Map.Entry<String, CommandLine> sub : top.getSubcommands().entrySet()) {
            if (sub.getKey().equalsIgnoreCase(word)) {
                return sub.getValue();
            }
        }
        return null;
    }

    private static String oneLine(String word, CommandLine.ParameterException e) {
        String hint = " (see '" + word + " --help')";
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            String what = first.startsWith("-") ? "option" : "argument";
            String spring = first.startsWith("--") ? "; Spring settings look like --reconciler.chunk-size=500" : "";
            return word + ": unknown " + what + " '" + first + "'" + spring + hint;
        }
        String message = JobRunner.firstLine(e.getMessage());
        return word + ": " + Character.toLowerCase(message.charAt(0)) + message.substring(1) + hint;
    }

    static String usage(CommandLine command) {
        return command.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static boolean isConfigurationError(Throwable e) {
        return ConfigurationErrors.describe(e).isPresent();
    }

    private static int startupFailure(RuntimeException e, PrintStream err) {
        log.debug("start-up failed", e);
        Optional<String> configuration = ConfigurationErrors.describe(e);
        if (configuration.isPresent()) {
            err.println("order-reconciler: configuration error: " + configuration.get());
            return ExitCodes.USAGE;
        }
        err.println("order-reconciler: cannot start: "
                + RepairService.refusal(e).orElseGet(() -> JobRunner.firstLine(JobRunner.rootMessage(e))));
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
