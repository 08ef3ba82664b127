package shop.reconciler.support;

import com.icegreen.greenmail.util.GreenMail;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A class-data-sharing archive (JDK 17's dynamic AppCDS archive) of what {@code serve} loads, for
 * the processes {@link ReconcilerProcess} starts: they map the application's and Spring's classes
 * from it instead of parsing and verifying them anew, which saves a third of a start's CPU (the
 * built-in demo: 6 CPU-seconds without it, 4 with it). The suite starts some fifty processes on a
 * 2-core machine, where CPU-seconds are its budget.
 *
 * <p>Built once per {@code target/} folder, in the background, by the first test JVM that starts
 * a process: one training run of {@code serve} on a fresh shop (a scheduled run that completes an
 * order and sends its email, the console's sign-in page, health), ended with SIGTERM, which writes
 * the archive ({@code -XX:ArchiveClassesAtExit}). Until it is there, processes start without it;
 * no test waits for it. CDS refuses a non-empty directory on the class path, so the processes get
 * {@code target/classes} and {@code target/test-classes} as jars made from them here; the archive
 * and the jars are made again when the class path or a class changes. Whatever fails, processes
 * start as without it: slower, the same behaviour (the JVM ignores an archive it cannot use, and
 * says nothing of it with the logging below).
 */
final class ProcessClassArchive {

    private static final Logger log = LoggerFactory.getLogger(ProcessClassArchive.class);

    /** How a process uses the archive: its JVM options and its class path. */
    record Use(List<String> jvmOptions, String classPath) {}

    private static final Path DIRECTORY = Path.of(
                    System.getProperty("basedir", System.getProperty("user.dir")), "target", "process-cds")
            .toAbsolutePath();

    private static final Path ARCHIVE = DIRECTORY.resolve("serve.jsa");
    private static final Path STAMP = DIRECTORY.resolve("stamp.txt");

    private static boolean building;

    private ProcessClassArchive() {}

    /** The archive's options and class path when it is ready for this class path, else empty (and it is being built). */
    static synchronized Optional<Use> use() {
        if (!"true".equals(System.getProperty("reconciler.test.process-cds", "true"))) {
            return Optional.empty();
        }
        try {
            String stamp = stamp();
            if (stamp.equals(readStamp()) && Files.size(ARCHIVE) > 0) {
                return Optional.of(use(jarredClassPath()));
            }
        } catch (IOException | RuntimeException notReady) {
            // not built yet, or not usable: build it
        }
        if (!building) {
            building = true;
            Thread builder = new Thread(ProcessClassArchive::buildIfNobodyElseIs, "process-class-archive");
            builder.setDaemon(true);
            builder.start();
        }
        return Optional.empty();
    }

    private static Use use(String classPath) {
        return new Use(
                List.of("-XX:SharedArchiveFile=" + ARCHIVE, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"),
                classPath);
    }

    private static String readStamp() throws IOException {
        return Files.readString(STAMP, StandardCharsets.UTF_8);
    }

    /** The class path, the JDK and the newest class file of each directory on the class path. */
    private static String stamp() throws IOException {
        StringBuilder stamp = new StringBuilder(System.getProperty("java.home"))
                .append('\n')
                .append(System.getProperty("java.class.path"))
                .append('\n');
        for (Path directory : directories()) {
            try (Stream<Path> files = Files.walk(directory)) {
                long newest = files.filter(Files::isRegularFile)
                        .mapToLong(file -> file.toFile().lastModified())
                        .max()
                        .orElse(0);
                stamp.append(directory).append(' ').append(newest).append('\n');
            }
        }
        return stamp.toString();
    }

    private static List<Path> directories() {
        List<Path> directories = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isDirectory(Path.of(entry))) {
                directories.add(Path.of(entry).toAbsolutePath());
            }
        }
        return directories;
    }

    /** The class path with each directory replaced by its jar under {@link #DIRECTORY}. */
    private static String jarredClassPath() {
        List<String> entries = new ArrayList<>();
        int index = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            boolean directory = !entry.isEmpty() && Files.isDirectory(Path.of(entry));
            entries.add(directory ? jarOf(index++, Path.of(entry)).toString() : entry);
        }
        return String.join(File.pathSeparator, entries);
    }

    private static Path jarOf(int index, Path directory) {
        return DIRECTORY.resolve(index + "-" + directory.getFileName() + ".jar");
    }

    private static void buildIfNobodyElseIs() {
        try {
            Files.createDirectories(DIRECTORY);
            try (FileChannel channel = FileChannel.open(
                            DIRECTORY.resolveSibling("process-cds.lock"),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE);
                    FileLock lock = channel.tryLock()) {
                if (lock == null) {
                    return; // another test JVM builds it; this one uses it once it is there
                }
                String stamp = stamp();
                if (Files.exists(STAMP) && stamp.equals(readStamp()) && Files.exists(ARCHIVE)) {
                    return;
                }
                Files.deleteIfExists(STAMP);
                long start = System.nanoTime();
                jarDirectories();
                train();
                Files.writeString(STAMP, stamp, StandardCharsets.UTF_8);
                log.info(
                        "ProcessClassArchive: {} ({} MB) built in {} s",
                        ARCHIVE,
                        Files.size(ARCHIVE) >> 20,
                        (System.nanoTime() - start) / 1_000_000_000);
            }
        } catch (Exception | AssertionError e) {
            log.warn("ProcessClassArchive: processes start without a class archive: {}", e.toString());
        }
    }

    private static void jarDirectories() throws IOException {
        List<Path> directories = directories();
        for (int index = 0; index < directories.size(); index++) {
            Path directory = directories.get(index);
            Path jar = jarOf(index, directory);
            Path partial = jar.resolveSibling(jar.getFileName() + ".partial");
            try (OutputStream out = Files.newOutputStream(partial);
                    JarOutputStream jarOut = new JarOutputStream(out);
                    Stream<Path> files = Files.walk(directory)) {
                for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                    if (file.equals(directory)) {
                        continue;
                    }
                    String name = directory.relativize(file).toString().replace(File.separatorChar, '/');
                    JarEntry entry = new JarEntry(Files.isDirectory(file) ? name + "/" : name);
                    entry.setTime(file.toFile().lastModified());
                    jarOut.putNextEntry(entry);
                    if (!Files.isDirectory(file)) {
                        Files.copy(file, jarOut);
                    }
                    jarOut.closeEntry();
                }
            }
            Files.move(partial, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** One serve on a fresh shop: a completed run with its email, the console and health asked once; then SIGTERM. */
    private static void train() throws Exception {
        Path partial = DIRECTORY.resolve("serve.jsa.partial");
        Files.deleteIfExists(partial);
        GreenMail smtp = MailServer.start();
        try (ServeUnderTest node = new ServeUnderTest("cds", smtp)) {
            node.shop.processingOrder("CDS-1", "cds@example.com", "completed");
            List<String> args = new ArrayList<>(List.of(
                    "serve",
                    "--reconciler.cron=*/1 * * * * *",
                    "--management.server.port=" + node.port(),
                    "--reconciler.management.viewer.password=training-Secret-1"));
            args.addAll(node.springArgs());
            ReconcilerProcess serve = ReconcilerProcess.startPlain(
                    List.of("-XX:ArchiveClassesAtExit=" + partial, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"),
                    jarredClassPath(),
                    args);
            Runtime.getRuntime().addShutdownHook(new Thread(serve::close));
            try {
                node.await(
                        Duration.ofMinutes(5),
                        () -> smtp.getReceivedMessages().length == 1
                                && node.shop.count(
                                                "SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE STATUS = 'COMPLETED'")
                                        >= 1);
                HttpClient http = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();
                for (String path : List.of("/console/login", "/actuator/health", "/actuator/prometheus")) {
                    http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                                    .timeout(Duration.ofSeconds(60))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                }
                serve.process().destroy();
                serve.waitFor(300);
            } finally {
                serve.close();
            }
        } finally {
            smtp.stop();
        }
        if (!Files.exists(partial) || Files.size(partial) == 0) {
            throw new IllegalStateException("the training run wrote no archive");
        }
        Files.move(partial, ARCHIVE, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
