package shop.reconciler.ops;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import shop.reconciler.InvalidConfigurationException;
import shop.reconciler.OrderReconcilerApplication;
import shop.reconciler.ReconcilerProperties;
import shop.reconciler.monitor.Redaction;

/**
 * The command line of contract section 5: {@code <command> [options] [--spring.key=value ...]}.
 * Arguments of the form {@code --some.key=value} go to Spring Boot; the rest belong to the
 * command. Expected failures end with one line on standard error, never a stack trace.
 */
public final class Cli {

    private static final Logger log = LoggerFactory.getLogger(Cli.class);

    static final String DEMO_DATABASE =
            "jdbc:h2:mem:demo-shop;MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE;DB_CLOSE_DELAY=-1";

    enum Command {
        SERVE,
        RUN,
        RESTART,
        STOP,
        ABANDON,
        STATUS,
        CHECK,
        DEMO,
        HELP;

        static Command parse(String word) {
            for (Command command : values()) {
                if (command.name().equalsIgnoreCase(word)) {
                    return command;
                }
            }
            return null;
        }
    }

    /** What was asked: the command, its own arguments, and the arguments for Spring Boot. */
    record Invocation(Command command, List<String> options, String[] springArgs) {}

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
        if (invocation.command() == Command.HELP) {
            out.println(usage());
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

    private static void overrides(Command command, MutablePropertySources sources) {
        if (command == Command.CHECK) {
            // check reports the schema's state; it does not migrate.
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

    static Invocation parse(String... args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        Command command = Command.SERVE;
        if (!rest.isEmpty() && (rest.get(0).equals("--help") || rest.get(0).equals("-h"))) {
            rest.remove(0);
            command = Command.HELP;
        } else if (!rest.isEmpty() && !rest.get(0).startsWith("--")) {
            String word = rest.remove(0);
            command = Command.parse(word);
            if (command == null) {
                throw new UsageException("unknown command '" + word + "'; commands: " + commandList());
            }
        }
        List<String> options = new ArrayList<>();
        List<String> spring = new ArrayList<>();
        for (String arg : rest) {
            if (arg.startsWith("--")
                    && arg.contains("=")
                    && arg.substring(2, arg.indexOf('=')).contains(".")) {
                spring.add(arg);
            } else {
                options.add(arg);
            }
        }
        if (command == Command.DEMO || command == Command.RUN || command == Command.CHECK || command == Command.SERVE) {
            if (!options.isEmpty()) {
                throw new UsageException("'" + command.name().toLowerCase(Locale.ROOT) + "' takes no option, got '"
                        + options.get(0) + "' (Spring settings look like --reconciler.chunk-size=500)");
            }
        }
        return new Invocation(command, List.copyOf(options), spring.toArray(String[]::new));
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
        }
        err.println("order-reconciler: cannot start: " + JobRunner.firstLine(JobRunner.rootMessage(e)));
        return ExitCodes.FAILED;
    }

    private static String commandList() {
        return "serve, run, restart, stop, abandon, status, check, demo";
    }

    static String usage() {
        return """
                usage: java -jar order-reconciler.jar <command> [options] [--key=value ...]
                  run                              one job run now, under the lease (0 ok, 1 failed, 75 lease held)
                  restart <executionId>|--last-failed
                                                   restart a failed or stopped execution
                  status [--limit N] [--json]      recent executions, lease, notifications, anomalies
                  check                            database, schema, indexes, SMTP; one line each
                  demo                             embedded demo shop, one run, emails in target/demo-mail/
                  serve                            run on reconciler.cron until SIGTERM; Actuator health and prometheus
                  stop <executionId>               stop a running execution at its next chunk boundary (any node)
                  abandon <executionId>            mark a stopped or failed execution as never to be restarted
                Spring Boot settings may follow any command: --reconciler.chunk-size=500""";
    }

    /** A wrong command line: exit 2 with the message. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
