package shop.reconciler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import shop.reconciler.support.Jdks;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.TestDatabase;

/**
 * What an operator sees of the start-up cache: jobs/reconcile-orders works without it, jobs/build-cds
 * builds it (a CDS archive with Java 17 to 24, an AOT cache with Java 25 or later), the wrapper then
 * loads the classes from it on the java that built it, and a jar newer than the cache, a damaged
 * cache or a removed JDK are run as without it (never the stale extracted copy). A command that is
 * not serve does not set up Spring Security and starts with the C1 compiler and the serial
 * collector; serve keeps the JVM's defaults.
 *
 * <p>The JDKs are the ones at hand ({@link Jdks}): the first test builds the cache on the test
 * JVM's java (the CDS archive on this project's Java 17); the second on the newest JDK found, Java
 * 25's AOT cache where one is installed ({@code JAVA_HOME}, {@code /usr/lib/jvm/*}...), else the
 * test JVM's cache again. It prints which it exercised.
 *
 * <p>The two tests run side by side (each in its own install folder, on its own database): each
 * starts a dozen JVMs one after the other and a training run, the longest class of the suite when
 * they run in turn.
 */
@Execution(ExecutionMode.CONCURRENT)
class StartupArchiveIntegrationTest {

    /** Any class's line of -Xlog:class+load when it comes from the top (dynamic) CDS archive. */
    private static final String FROM_ARCHIVE = "source: shared objects file (top)";

    /** An application class's line of -Xlog:class+load when it comes from a CDS archive or an AOT cache. */
    private static final String CLI_FROM_CACHE = "shop.reconciler.cli.Cli source: shared objects file";

    /** The JDK the tests run on (Java 17 on the build machines). */
    private static final Jdks.Jdk AT_HAND = Jdks.current();

    @TempDir
    Path home;

    /**
     * The environment of a command against a fresh shop database, with the class-loading log (which
     * tells where each class came from) and the JVM's flags printed.
     */
    private static Map<String, String> shopEnvironment(String databaseName) {
        TestDatabase.DatabaseRef db = TestDatabase.server().createDatabase(databaseName);
        new ShopFixture(db.dataSource()).createSchema();
        return Map.of(
                "SPRING_DATASOURCE_URL", db.url(),
                "SPRING_DATASOURCE_USERNAME", db.username(),
                "SPRING_DATASOURCE_PASSWORD", db.password(),
                "JAVA_OPTS", "-Xlog:class+load=info -XX:+PrintCommandLineFlags");
    }

    @Test
    void wrapperUsesTheArchiveWhenPresentAndCurrentAndWorksWithoutIt() throws Exception {
        Path jar = install();

        Map<String, String> env = shopEnvironment("startup");

        Result plain = run(env, "jobs/reconcile-orders", "status");
        assertThat(plain.exit).as(plain.output).isZero();
        assertThat(plain.output).contains("lease: free").doesNotContain(FROM_ARCHIVE);
        assertThat(plain.output).doesNotContainIgnoringCase("generated security password");
        assertThat(plain.output).contains("-XX:TieredStopAtLevel=1").contains("-XX:+UseSerialGC");
        Result serve = run(env, "jobs/reconcile-orders", "serve", "--help");
        assertThat(serve.exit).as(serve.output).isZero();
        assertThat(serve.output).contains("usage: order-reconciler serve").doesNotContain("-XX:+UseSerialGC");
        // A collector chosen in JAVA_OPTS wins over the wrapper's (two would stop the JVM).
        Result parallel = run(
                Map.of("JAVA_OPTS", "-XX:+UseParallelGC -XX:+PrintCommandLineFlags"), "jobs/reconcile-orders", "help");
        assertThat(parallel.exit).as(parallel.output).isZero();
        assertThat(parallel.output).contains("-XX:+UseParallelGC").doesNotContain("-XX:+UseSerialGC");
        Map<String, String> defaults = new HashMap<>(env);
        defaults.put("RECONCILER_COMMAND_JAVA_OPTS", "");
        Result jvmDefaults = run(defaults, "jobs/reconcile-orders", "status");
        assertThat(jvmDefaults.exit).as(jvmDefaults.output).isZero();
        assertThat(jvmDefaults.output).contains("lease: free").doesNotContain("-XX:+UseSerialGC");

        Result build = run(Map.of("RECONCILER_JAVA", AT_HAND.java().toString()), "jobs/build-cds");
        assertThat(build.exit).as(build.output).isZero();
        assertThat(build.output).contains("build-cds: " + cacheOf(AT_HAND));

        Result shared = run(env, "jobs/reconcile-orders", "status");
        assertThat(shared.exit).as(shared.output).isZero();
        assertThat(shared.output)
                .contains("lease: free")
                .contains(AT_HAND.feature() >= 25 ? CLI_FROM_CACHE : FROM_ARCHIVE);

        // A new jar (mvn package again) is used as it is until the archive is built again.
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        Result stale = run(env, "jobs/reconcile-orders", "status");
        assertThat(stale.exit).as(stale.output).isZero();
        assertThat(stale.output).contains("lease: free").doesNotContain(FROM_ARCHIVE);
    }

    @Test
    void wrapperRunsTheCacheOnTheJavaThatBuiltItAndStartsWithoutItWhenItCannot() throws Exception {
        Jdks.Jdk builder = Jdks.atLeast(25).orElse(AT_HAND);
        System.out.println(
                "StartupArchiveIntegrationTest: the cache of " + builder
                        + (builder.feature() >= 25
                                ? " (the AOT cache)"
                                : " (the CDS archive: no Java 25 or later found in JAVA_HOME, /usr/lib/jvm, ~/.sdkman, ~/.jdks)"));
        Path jar = install();
        Map<String, String> env = shopEnvironment("startup_aot");

        Result build = run(Map.of("RECONCILER_JAVA", builder.java().toString()), "jobs/build-cds");
        assertThat(build.exit).as(build.output).isZero();
        Path cache = cacheOf(builder);
        assertThat(build.output).contains("build-cds: " + cache).contains("Java " + builder.feature());
        assertThat(home.resolve(
                        builder.feature() >= 25
                                ? "target/cds/order-reconciler.jsa"
                                : "target/cds/order-reconciler.aot"))
                .doesNotExist();
        String cacheOption = builder.feature() >= 25 ? "AOTCache" : "SharedArchiveFile";

        // No RECONCILER_JAVA: the wrapper runs the java that built the cache.
        Result cached = run(env, "jobs/reconcile-orders", "status");
        assertThat(cached.exit).as(cached.output).isZero();
        assertThat(cached.output)
                .contains("lease: free")
                .contains(CLI_FROM_CACHE)
                .contains("-XX:" + cacheOption + "=" + cache)
                .contains("-XX:+UseSerialGC");
        Result check = run(env, "jobs/reconcile-orders", "check");
        assertThat(check.output).contains("PASS database:").contains(CLI_FROM_CACHE);

        // Another java named by RECONCILER_JAVA runs the plain jar (the test JVM's, or, when it
        // built the cache, a script that runs it).
        Map<String, String> otherJava = new HashMap<>(env);
        otherJava.put("RECONCILER_JAVA", anotherJavaThan(builder).toString());
        assertThat(statusFromThePlainJar(otherJava)).doesNotContain(cacheOption);

        // A damaged cache is ignored by the JVM, silently.
        byte[] whole = Files.readAllBytes(cache);
        Files.write(cache, Arrays.copyOf(whole, Math.min(1 << 20, whole.length / 2)));
        statusFromThePlainJar(env);
        Files.write(cache, whole);

        // The JDK that built it is gone: the plain jar on the default java.
        Path recorded = home.resolve("target/cds/java");
        String builtWith = Files.readString(recorded);
        Files.writeString(recorded, home.resolve("no-such-jdk/bin/java") + "\n");
        assertThat(statusFromThePlainJar(env)).doesNotContain(cacheOption);
        Files.writeString(recorded, builtWith);

        // A new jar is run as it is until the cache is built again.
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        assertThat(statusFromThePlainJar(env)).doesNotContain(cacheOption);
    }

    /** {@code status} through the wrapper, answered by the jar without the cache; its output. */
    private String statusFromThePlainJar(Map<String, String> env) throws IOException, InterruptedException {
        Result status = run(env, "jobs/reconcile-orders", "status");
        assertThat(status.exit).as(status.output).isZero();
        assertThat(status.output).contains("lease: free").doesNotContain(CLI_FROM_CACHE);
        return status.output;
    }

    /** The cache jobs/build-cds writes with this JDK: an AOT cache on 25 or later, a CDS archive before. */
    private Path cacheOf(Jdks.Jdk jdk) {
        return home.resolve(
                jdk.feature() >= 25 ? "target/cds/order-reconciler.aot" : "target/cds/order-reconciler.jsa");
    }

    /** A java that is not the one that built the cache, as the wrapper sees it (another path). */
    private Path anotherJavaThan(Jdks.Jdk builder) throws IOException {
        if (!builder.home().equals(AT_HAND.home())) {
            return AT_HAND.java();
        }
        Path script = home.resolve("other-java");
        Files.writeString(script, "#!/bin/sh\nexec '" + AT_HAND.java() + "' \"$@\"\n");
        script.toFile().setExecutable(true);
        return script;
    }

    /** The two scripts and the jar in a fresh install folder; returns the jar. */
    private Path install() throws IOException {
        Path project = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        Files.createDirectories(home.resolve("jobs"));
        Files.createDirectories(home.resolve("target"));
        for (String script : List.of("reconcile-orders", "build-cds")) {
            Files.copy(
                    project.resolve("jobs").resolve(script),
                    home.resolve("jobs").resolve(script));
            home.resolve("jobs").resolve(script).toFile().setExecutable(true);
        }
        Path jar = home.resolve("target/order-reconciler.jar");
        Files.copy(project.resolve("target/order-reconciler.jar"), jar);
        return jar;
    }

    private record Result(int exit, String output) {}

    private Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(home, "out", ".txt");
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        builder.redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end in 3 minutes");
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
