package shop.reconciler.bench;

import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import shop.reconciler.support.ConsoleSession;
import shop.reconciler.support.ReconcilerProcess;

/**
 * The "reads" scenario (issue 24.3): the operator's reads on a shop after its first run, each timed
 * for the database's time (the server's own, from its slow log with {@code long_query_time=0}, every
 * statement of the read in that shop's database summed) and wall time. The commands run as the
 * operator runs them, each in a JVM of its own through the application's main class (its wall time
 * includes the JVM's start); the console's pages are read from one {@code serve}, signed in, each
 * page's wall time being its HTTP request's, after one Prometheus scrape (timed apart: it is
 * monitoring's cost, every 30 s at most, not an operator's read), as under a scraping Prometheus.
 *
 * <p>Budgets (issue 24.3): at most 0.5 s of database time per read; {@code plan} at most the floor's
 * time; every listing bounded (its printed lines are counted).
 */
final class OperatorReads {

    static final double BUDGET_SECONDS = 0.5;

    /** One read: database seconds (server side), statements, the slowest one, wall seconds, lines printed. */
    record Read(
            String name, double dbSeconds, long statements, String slowest, double wallSeconds, long lines, int exit) {}

    private static final String VIEWER_SECRET = "bench-viewer-secret";

    private final TestDatabaseAdmin admin;
    private final BenchDb.Db db;
    private final int smtpPort;
    private final Consumer<String> say;

    /** Opens connections to the server as an administrator (the slow log is global). */
    interface TestDatabaseAdmin {
        Connection open() throws SQLException;
    }

    OperatorReads(TestDatabaseAdmin admin, BenchDb.Db db, int smtpPort, Consumer<String> say) {
        this.admin = admin;
        this.db = db;
        this.smtpPort = smtpPort;
        this.say = say;
    }

    List<String> springArgs() {
        return List.of(
                "--spring.datasource.url=" + db.url(),
                "--spring.datasource.username=" + db.user(),
                "--spring.datasource.password=" + db.password(),
                "--spring.mail.host=127.0.0.1",
                "--spring.mail.port=" + smtpPort);
    }

    /** The first run (untimed here: the job scenario times runs), then every read. */
    List<Read> measure() throws Exception {
        long t0 = System.nanoTime();
        Read first = command("first run", List.of("run"), false);
        say.accept(String.format(
                Locale.ROOT,
                "   reads: the shop's first run took %.1f s (exit %d)",
                (System.nanoTime() - t0) / 1e9,
                first.exit()));
        String openCode;
        String failedCode;
        try (Connection c = db.open()) {
            openCode = BenchDb.queryString(
                    c,
                    "SELECT order_code FROM orders WHERE order_status = 'processing' AND id > "
                            + "(SELECT MAX(id) / 2 FROM orders) ORDER BY id LIMIT 1");
            failedCode = BenchDb.queryString(
                    c, "SELECT order_code FROM order_notifications WHERE status = 'failed' ORDER BY id DESC LIMIT 1");
        }
        List<Read> reads = new ArrayList<>();
        Map<String, String> before = slowLogOn();
        try {
            reads.add(command("status", List.of("status"), true));
            reads.add(command("explain (open order)", List.of("explain", openCode), true));
            if (failedCode != null) {
                reads.add(command("explain (failed email)", List.of("explain", failedCode), true));
            }
            reads.add(command("notifications --status failed", List.of("notifications", "--status", "failed"), true));
            reads.add(command(
                    "requeue --failed --skipped --dry-run",
                    List.of("requeue", "--failed", "--skipped", "--dry-run"),
                    true));
            reads.add(command("plan", List.of("plan"), true));
            reads.addAll(console(openCode));
        } finally {
            restore(before);
        }
        return reads;
    }

    private Read command(String name, List<String> command, boolean timed) throws Exception {
        List<String> args = new ArrayList<>(command);
        args.addAll(springArgs());
        truncate();
        long start = System.nanoTime();
        ReconcilerProcess process = ReconcilerProcess.start(args);
        int exit = process.waitFor(3600);
        double wall = (System.nanoTime() - start) / 1e9;
        String output = process.output();
        long lines = output.lines()
                .filter(l -> !l.matches("^\\d{4}-\\d\\d-\\d\\d .*"))
                .count();
        return timed ? withDbTime(name, wall, lines, exit) : new Read(name, 0, 0, "", wall, lines, exit);
    }

    private List<Read> console(String openCode) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> args = new ArrayList<>(List.of(
                "serve",
                "--reconciler.cron=0 0 0 1 1 *", // no run while the pages are read
                "--management.server.port=" + port,
                "--reconciler.management.viewer.password=" + VIEWER_SECRET));
        args.addAll(springArgs());
        ReconcilerProcess serve = ReconcilerProcess.start(args);
        List<Read> reads = new ArrayList<>();
        try {
            ConsoleSession session = new ConsoleSession(port);
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (!session.reachable()) {
                if (!serve.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("serve did not answer:\n" + serve.output());
                }
                Thread.sleep(300);
            }
            session.login("viewer", VIEWER_SECRET);
            long execution;
            try (Connection c = db.open()) {
                execution = BenchDb.queryLong(c, "SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION");
            }
            // What monitoring pays, apart: a scrape reads the backlog gauges (finished-not-completed and
            // stuck, counted live over every processing order), at most every 30 s. The overview then
            // shows that read instead of counting again, as it does under a scraping Prometheus.
            for (String[] page : new String[][] {
                {"prometheus scrape (gauges, <= every 30 s)", "/actuator/prometheus"},
                {"console overview", "/console"},
                {"console order page", "/console/orders?code=" + URLEncoder.encode(openCode, StandardCharsets.UTF_8)},
                {"console execution page", "/console/executions/" + execution},
                {"console notifications (failed)", "/console/notifications?status=failed"}
            }) {
                truncate();
                long start = System.nanoTime();
                var response = session.get(page[1]);
                double wall = (System.nanoTime() - start) / 1e9;
                reads.add(withDbTime(
                        page[0],
                        wall,
                        response.body().length(),
                        response.statusCode() == 200 ? 0 : response.statusCode()));
            }
        } finally {
            serve.process().destroy();
            serve.waitFor(60);
        }
        return reads;
    }

    private Read withDbTime(String name, double wall, long lines, int exit) throws SQLException {
        try (Connection c = admin.open()) {
            String where = " FROM mysql.slow_log WHERE db = '" + db.name() + "'";
            double seconds = Double.parseDouble(
                    BenchDb.queryString(c, "SELECT COALESCE(SUM(TIME_TO_SEC(query_time)), 0)" + where));
            long statements = BenchDb.queryLong(c, "SELECT COUNT(*)" + where);
            String slowest = BenchDb.queryString(
                    c,
                    "SELECT CONCAT(ROUND(TIME_TO_SEC(query_time), 3), ' s, ', rows_examined, ' rows examined: ',"
                            + " LEFT(REGEXP_REPLACE(sql_text, '\\\\s+', ' '), 100))" + where
                            + " ORDER BY query_time DESC LIMIT 1");
            return new Read(name, seconds, statements, slowest == null ? "" : slowest, wall, lines, exit);
        }
    }

    private void truncate() throws SQLException {
        try (Connection c = admin.open()) {
            BenchDb.execute(c, "TRUNCATE TABLE mysql.slow_log");
        }
    }

    private Map<String, String> slowLogOn() throws SQLException {
        try (Connection c = admin.open()) {
            Map<String, String> before = Map.of(
                    "log_output", BenchDb.queryString(c, "SELECT @@GLOBAL.log_output"),
                    "long_query_time", BenchDb.queryString(c, "SELECT @@GLOBAL.long_query_time"),
                    "slow_query_log", BenchDb.queryString(c, "SELECT @@GLOBAL.slow_query_log"));
            BenchDb.execute(
                    c,
                    "SET GLOBAL log_output = 'TABLE'",
                    "SET GLOBAL long_query_time = 0",
                    "SET GLOBAL slow_query_log = 1");
            return before;
        }
    }

    private void restore(Map<String, String> before) throws SQLException {
        try (Connection c = admin.open()) {
            BenchDb.execute(
                    c,
                    "SET GLOBAL slow_query_log = " + before.get("slow_query_log"),
                    "SET GLOBAL long_query_time = " + before.get("long_query_time"),
                    "SET GLOBAL log_output = '" + before.get("log_output") + "'",
                    "TRUNCATE TABLE mysql.slow_log");
        }
    }

    /** The table's lines: read, database time, statements, wall, lines, verdict, slowest statement. */
    static List<String> table(List<Read> reads, double floorSeconds) {
        List<String> out = new ArrayList<>();
        out.add(String.format(
                Locale.ROOT,
                "%-38s %9s %6s %9s %8s  %-24s %s",
                "operator read",
                "db s",
                "stmts",
                "wall s",
                "lines",
                "budget",
                "slowest statement"));
        for (Read r : reads) {
            String verdict;
            if (r.name().startsWith("prometheus scrape")) {
                verdict = "monitoring, not a read";
            } else {
                double budget = r.name().equals("plan") && floorSeconds > 0 ? floorSeconds : BUDGET_SECONDS;
                verdict = (r.dbSeconds() <= budget ? "ok" : "OVER")
                        + String.format(Locale.ROOT, " (<= %.2f s)", budget)
                        + (r.exit() == 0 ? "" : " exit " + r.exit());
            }
            out.add(String.format(
                    Locale.ROOT,
                    "%-38s %9.3f %6d %9.2f %8d  %-24s %s",
                    r.name(),
                    r.dbSeconds(),
                    r.statements(),
                    r.wallSeconds(),
                    r.lines(),
                    verdict,
                    r.slowest()));
        }
        return out;
    }
}
