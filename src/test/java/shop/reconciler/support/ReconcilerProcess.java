package shop.reconciler.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import shop.reconciler.OrderReconcilerApplication;

/**
 * The reconciler as a separate operating-system process (a node of its own), started from the
 * test classpath: {@code java <JVM options> -cp <test classpath>
 * shop.reconciler.OrderReconcilerApplication <args>}. Its standard output and error go to a log
 * file, for assertion messages. Every test that needs a process of the application starts it here.
 *
 * <p>The JVM options are those of jobs/reconcile-orders: {@code -Xmx256m}, and for every command
 * but {@code serve} {@link #SHORT_COMMAND_OPTIONS} (the C1 compiler alone, the serial collector),
 * which start the JVM for about half the CPU; most of what a test's process does is starting.
 * {@code serve} keeps the JVM's defaults, as installed. The system property {@code
 * reconciler.test.process-java-opts} (space-separated; {@code mvn verify
 * -Dreconciler.test.process-java-opts=} for none) replaces the short commands' options.
 */
public final class ReconcilerProcess implements AutoCloseable {

    /**
     * The JVM options of every command but serve: the property {@code
     * reconciler.test.process-java-opts}, else the wrapper's.
     */
    public static final List<String> SHORT_COMMAND_OPTIONS =
            List.of(System.getProperty("reconciler.test.process-java-opts", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
                    .trim()
                    .split("\\s+"));

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
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        String commandName =
                args.stream().filter(arg -> !arg.startsWith("-")).findFirst().orElse("serve");
        if (!commandName.equalsIgnoreCase("serve")) {
            SHORT_COMMAND_OPTIONS.stream().filter(option -> !option.isEmpty()).forEach(command::add);
        }
        command.addAll(jvmOptions);
        command.addAll(
                List.of("-cp", System.getProperty("java.class.path"), OrderReconcilerApplication.class.getName()));
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
