package shop.reconciler.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.TestDatabase;

/**
 * What an operator sees of the start-up archive: jobs/reconcile-orders works without it, jobs/build-cds
 * builds it, the wrapper then loads the classes from it, and a jar newer than the archive is run as it
 * is (never the stale extracted copy). A command that is not serve does not set up Spring Security.
 */
class StartupArchiveIntegrationTest {

    private static final String FROM_ARCHIVE = "source: shared objects file (top)";

    @TempDir
    Path home;

    @Test
    void wrapperUsesTheArchiveWhenPresentAndCurrentAndWorksWithoutIt() throws Exception {
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

        TestDatabase.DatabaseRef db = TestDatabase.server().createDatabase("startup");
        new ShopFixture(db.dataSource()).createSchema();
        Map<String, String> env = Map.of(
                "SPRING_DATASOURCE_URL", db.url(),
                "SPRING_DATASOURCE_USERNAME", db.username(),
                "SPRING_DATASOURCE_PASSWORD", db.password(),
                "JAVA_OPTS", "-Xlog:class+load=info");

        Result plain = run(env, "jobs/reconcile-orders", "status");
        assertThat(plain.exit).as(plain.output).isZero();
        assertThat(plain.output).contains("lease: free").doesNotContain(FROM_ARCHIVE);
        assertThat(plain.output).doesNotContainIgnoringCase("generated security password");

        Result build = run(Map.of(), "jobs/build-cds");
        assertThat(build.exit).as(build.output).isZero();
        assertThat(build.output).contains("build-cds: " + home.resolve("target/cds/order-reconciler.jsa"));

        Result shared = run(env, "jobs/reconcile-orders", "status");
        assertThat(shared.exit).as(shared.output).isZero();
        assertThat(shared.output).contains("lease: free").contains(FROM_ARCHIVE);

        // A new jar (mvn package again) is used as it is until the archive is built again.
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        Result stale = run(env, "jobs/reconcile-orders", "status");
        assertThat(stale.exit).as(stale.output).isZero();
        assertThat(stale.output).contains("lease: free").doesNotContain(FROM_ARCHIVE);
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
