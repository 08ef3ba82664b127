package shop.reconciler.support;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * Installs are serialised JVM-wide and, through a file lock in the temporary directory, across the
 * test JVMs that run side by side; {@code apt-get} waits up to 10 minutes for dpkg's lock held by
 * anything else.
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
        return requireOneOf(List.of(command), packages);
    }

    /**
     * The path of the first of {@code commands} found (a program known under several names, such as
     * a browser: {@code chromium}, {@code google-chrome}), installing {@code packages} first when
     * none is, which must bring the first of them.
     *
     * @throws IllegalStateException when none can be found or installed
     */
    public static Path requireOneOf(List<String> commands, String... packages) {
        Optional<Path> found = findOneOf(commands);
        if (found.isPresent()) {
            return found.get();
        }
        synchronized (INSTALL_LOCK) {
            found = findOneOf(commands);
            if (found.isPresent()) {
                return found.get();
            }
            String why = installAlone(commands, packages);
            return findOneOf(commands)
                    .orElseThrow(() -> new IllegalStateException("this test needs '" + String.join("' or '", commands)
                            + "' from the Debian package(s) " + String.join(" ", packages) + " (apt-get install -y "
                            + String.join(" ", packages) + "): " + why));
        }
    }

    private static Optional<Path> findOneOf(List<String> commands) {
        return commands.stream()
                .map(SystemPackages::find)
                .flatMap(Optional::stream)
                .findFirst();
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

    /**
     * Installs under a lock shared by every test JVM of the machine (failsafe runs several side by
     * side, and two apt-get at once fail on dpkg's lock); the one that waited finds the command.
     */
    private static String installAlone(List<String> commands, String... packages) {
        Path lock = Path.of(System.getProperty("java.io.tmpdir"), "order-reconciler-system-packages.lock");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            return findOneOf(commands).isPresent() ? "installed" : install(packages);
        } catch (IOException ex) {
            return "cannot lock " + lock + ": " + ex.getMessage();
        }
    }

    private static String install(String... packages) {
        if (!"root".equals(System.getProperty("user.name")) || find("apt-get").isEmpty()) {
            return "not installed, and this JVM cannot install it (not root, or no apt-get)";
        }
        try {
            if (!updated) {
                run(List.of("apt-get", "-o", "DPkg::Lock::Timeout=600", "update", "-qq"), 600);
                updated = true;
            }
            List<String> install = new ArrayList<>(List.of(
                    "apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-qq", "--no-install-recommends"));
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
