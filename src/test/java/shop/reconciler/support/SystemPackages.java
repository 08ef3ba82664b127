package shop.reconciler.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The one place where a test finds a program that a Debian package brings (chromium, postfix,
 * promtool, the Prometheus Pushgateway), so that {@code mvn -B verify} passes on a fresh machine
 * with nothing installed by hand.
 *
 * <ol>
 *   <li>Look for the command on the {@code PATH} and in the usual system directories.</li>
 *   <li>Missing, and the JVM runs as root with {@code apt-get} at hand: install the packages once
 *       ({@code apt-get update} first, non-interactive, no services started by the packages'
 *       scripts), then look again.</li>
 *   <li>Still missing: fail with one line that names the command and the packages, never skip.</li>
 * </ol>
 *
 * Installs are serialised JVM-wide; {@code apt-get} itself waits for the dpkg lock of another
 * process.
 */
public final class SystemPackages {

    private static final List<String> SYSTEM_DIRS = List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin");
    private static final Object INSTALL_LOCK = new Object();
    private static volatile boolean updated;

    private SystemPackages() {}

    /**
     * The path of {@code command}, installing {@code packages} first when it is missing.
     *
     * @throws IllegalStateException when the command cannot be found or installed
     */
    public static Path require(String command, String... packages) {
        Optional<Path> found = find(command);
        if (found.isPresent()) {
            return found.get();
        }
        synchronized (INSTALL_LOCK) {
            found = find(command);
            if (found.isPresent()) {
                return found.get();
            }
            String why = install(packages);
            return find(command)
                    .orElseThrow(() ->
                            new IllegalStateException("this test needs '" + command + "' from the Debian package(s) "
                                    + String.join(" ", packages) + " (apt-get install -y " + String.join(" ", packages)
                                    + "): " + why));
        }
    }

    /** The command on the PATH or in the system directories, if any. */
    public static Optional<Path> find(String command) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
        }
        dirs.addAll(SYSTEM_DIRS);
        for (String dir : dirs) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String install(String... packages) {
        if (!"root".equals(System.getProperty("user.name")) || find("apt-get").isEmpty()) {
            return "not installed, and this JVM cannot install it (not root, or no apt-get)";
        }
        try {
            if (!updated) {
                run(List.of("apt-get", "update", "-qq"), 600);
                updated = true;
            }
            List<String> install =
                    new ArrayList<>(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends"));
            install.addAll(List.of(packages));
            return run(install, 900);
        } catch (IOException ex) {
            return "apt-get failed: " + ex.getMessage();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "interrupted while installing";
        }
    }

    private static String run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("apt-get", ".log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return String.join(" ", command) + " took longer than " + timeoutSeconds + " s";
        }
        String output = Files.readString(log);
        Files.deleteIfExists(log);
        if (process.exitValue() != 0) {
            String tail = output.length() > 400 ? output.substring(output.length() - 400) : output;
            return String.join(" ", command) + " exited " + process.exitValue() + ": " + tail.strip();
        }
        return "installed";
    }
}
