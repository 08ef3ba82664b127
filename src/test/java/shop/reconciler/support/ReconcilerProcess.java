package shop.reconciler.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import shop.reconciler.OrderReconcilerApplication;

/**
 * The reconciler as a separate operating-system process (a node of its own), started from the
 * test classpath: {@code java <JVM options> -cp <test classpath>
 * shop.reconciler.OrderReconcilerApplication <args>}. Its standard output and error go to a log
 * file, for assertion messages. Every test that needs a process of the application starts it here.
 *
 * <p>The JVM options are {@code -Xmx256m} and {@link #SHORT_COMMAND_OPTIONS} (the C1 compiler
 * alone, the serial collector: jobs/reconcile-orders' options for every command but {@code
 * serve}), for every command, {@code serve} too: most of what a test's process does is starting,
 * and these start the JVM for about half the CPU (a Spring Boot start costs 8 CPU-seconds instead
 * of 16 on the 2-core build machine, where the CPU-seconds are the suite's budget). A test that
 * measures what production does of {@code serve} (its latency under a probe, its heap during a
 * big run) starts it {@link #startAsInstalled as installed}: {@code serve} with the JVM's
 * defaults, as the wrapper starts it. The system property {@code
 * reconciler.test.process-java-opts} (space-separated; {@code mvn verify
 * -Dreconciler.test.process-java-opts=} for none) replaces the short commands' options.
 *
 * <p>Those processes also load the classes from {@link ProcessClassArchive} once the suite has
 * built it (another third of a start's CPU; {@code -Dreconciler.test.process-cds=false} for never).
 */
public final class ReconcilerProcess implements AutoCloseable {

    /**
     * The JVM options of every command (of every command but serve {@link #startAsInstalled as
     * installed}): the property {@code reconciler.test.process-java-opts}, else the wrapper's
     * short-command options.
     */
    public static final List<String> SHORT_COMMAND_OPTIONS =
            List.of(System.getProperty("reconciler.test.process-java-opts", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
                    .trim()
                    .split("\\s+"));

    /**
     * How long a started process may take to start and make its first progress on a loaded 2-core
     * machine (a JVM took 40 s to start there): a limit, not a wait, so it costs nothing when
     * things are well.
     */
    public static final Duration STARTED_WITHIN = Duration.ofSeconds(120);

    private final Process process;
    private final Path log;

    private ReconcilerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ReconcilerProcess start(List<String> args) {
        return start(List.of(), args);
    }

    /** With these JVM options too (e.g. {@code -Duser.timezone=Asia/Tokyo}: a node in another zone). */
    public static ReconcilerProcess start(List<String> jvmOptions, List<String> args) {
        return start(jvmOptions, args, true);
    }

    /**
     * As jobs/reconcile-orders starts it: {@code serve} with the JVM's defaults (the JIT compiler's
     * every tier, the default collector), every other command with {@link #SHORT_COMMAND_OPTIONS}.
     * For a test that measures what production does of serve.
     */
    public static ReconcilerProcess startAsInstalled(List<String> jvmOptions, List<String> args) {
        String commandName =
                args.stream().filter(arg -> !arg.startsWith("-")).findFirst().orElse("serve");
        return start(jvmOptions, args, !commandName.equalsIgnoreCase("serve"));
    }

    private static ReconcilerProcess start(List<String> jvmOptions, List<String> args, boolean shortOptions) {
        if (shortOptions) {
            Optional<ProcessClassArchive.Use> archive = ProcessClassArchive.use();
            if (archive.isPresent()) {
                List<String> options = new ArrayList<>(archive.get().jvmOptions());
                options.addAll(jvmOptions);
                return start(options, archive.get().classPath(), args, true);
            }
        }
        return start(jvmOptions, System.getProperty("java.class.path"), args, shortOptions);
    }

    /** With the short-command options and this class path, without {@link ProcessClassArchive} (which trains on it). */
    static ReconcilerProcess startPlain(List<String> jvmOptions, String classPath, List<String> args) {
        return start(jvmOptions, classPath, args, true);
    }

    private static ReconcilerProcess start(
            List<String> jvmOptions, String classPath, List<String> args, boolean shortOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        if (shortOptions) {
            SHORT_COMMAND_OPTIONS.stream().filter(option -> !option.isEmpty()).forEach(command::add);
        }
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, OrderReconcilerApplication.class.getName()));
        command.addAll(args);
        try {
            File log = File.createTempFile("reconciler-node-", ".log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log)
                    .start();
            return new ReconcilerProcess(process, log.toPath());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command, e);
        }
    }

    /** The operating-system process, for signals and waits this class does not wrap. */
    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL, and wait until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** The exit code; fails if the process is still running after {@code seconds}. */
    public int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("process " + pid() + " still running after " + seconds + " s\n" + output());
        }
        return process.exitValue();
    }

    /** What the process printed so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
