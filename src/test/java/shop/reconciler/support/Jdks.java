package shop.reconciler.support;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JDKs of this machine, for tests and the benchmark that run a java other than their own: the
 * test JVM's ({@code java.home}), {@code $JAVA_HOME}, and every JDK under {@code /usr/lib/jvm}
 * (Debian, Ubuntu, Temurin's packages), {@code ~/.sdkman/candidates/java} and {@code ~/.jdks}
 * (IntelliJ's downloads). A JDK's version is its {@code release} file's {@code JAVA_VERSION}.
 */
public final class Jdks {

    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    /** One JDK: its home, its feature version (17, 25...). */
    public record Jdk(Path home, int feature) {

        public Path java() {
            return home.resolve("bin").resolve("java");
        }

        @Override
        public String toString() {
            return "Java " + feature + " (" + home + ")";
        }
    }

    private Jdks() {}

    /** The JDK this JVM runs on (its home with symbolic links resolved). */
    public static Jdk current() {
        Path home = Path.of(System.getProperty("java.home"));
        try {
            home = home.toRealPath();
        } catch (IOException e) {
            // the JVM runs, so its home exists; keep the path as given
        }
        return new Jdk(home, Runtime.version().feature());
    }

    /** Every JDK found, the test JVM's first, each home once (symbolic links resolved). */
    public static List<Jdk> all() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of(System.getProperty("java.home")));
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            candidates.add(Path.of(javaHome));
        }
        String user = System.getProperty("user.home");
        for (Path parent :
                List.of(Path.of("/usr/lib/jvm"), Path.of(user, ".sdkman/candidates/java"), Path.of(user, ".jdks"))) {
            if (Files.isDirectory(parent)) {
                try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent)) {
                    List<Path> sorted = new ArrayList<>();
                    dirs.forEach(sorted::add);
                    sorted.sort(Comparator.naturalOrder());
                    candidates.addAll(sorted);
                } catch (IOException e) {
                    // an unreadable folder holds no JDK we can use
                }
            }
        }
        Map<Path, Jdk> found = new LinkedHashMap<>();
        for (Path candidate : candidates) {
            try {
                Path home = candidate.toRealPath();
                if (!found.containsKey(home)) {
                    version(home).ifPresent(feature -> found.put(home, new Jdk(home, feature)));
                }
            } catch (IOException e) {
                // a dangling link or a folder that went away: not a JDK
            }
        }
        return List.copyOf(found.values());
    }

    /** The newest JDK of at least this feature version, if any. */
    public static Optional<Jdk> atLeast(int feature) {
        return all().stream().filter(jdk -> jdk.feature() >= feature).max(Comparator.comparingInt(Jdk::feature));
    }

    /** The feature version of the JDK at {@code home}, when it has a java and a release file. */
    private static Optional<Integer> version(Path home) throws IOException {
        Path release = home.resolve("release");
        if (!Files.isExecutable(home.resolve("bin/java")) || !Files.isRegularFile(release)) {
            return Optional.empty();
        }
        Matcher matcher = JAVA_VERSION.matcher(Files.readString(release));
        if (!matcher.find()) {
            return Optional.empty();
        }
        int major = Integer.parseInt(matcher.group(1));
        // Java 8 and earlier wrote "1.8.0_..."
        return Optional.of(major == 1 ? 8 : major);
    }
}
