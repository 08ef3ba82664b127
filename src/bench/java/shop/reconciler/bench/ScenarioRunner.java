package shop.reconciler.bench;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.AbstractStep;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.TaskletStep;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import shop.reconciler.OrderReconcilerApplication;

/**
 * One scenario in its own JVM (started by {@link BenchMain} with {@code -Xmx256m}), on its own copy
 * of the shop. Prints {@code BENCH key=value} lines on standard output; logs go to standard error.
 *
 * <pre>
 * ScenarioRunner floor|per-order|job|smtp url=... user=... password=... [chunk=1000] [params=a=1&amp;b=2]
 *                [sample=20000] [smtpPort=...] [maxAgeDays=7] [count=...]
 * </pre>
 */
public final class ScenarioRunner {

    static final Set<String> TERMINAL = Set.of("completed", "failed");

    /**
     * The recipient check of the floor's one statement. It agrees with {@code EmailAddresses} on the
     * generated data (every address there is either {@code buyer<id>@example.com} or one of
     * {@link ShopGenerator#INVALID_EMAILS}); the benchmark checks that against the generator's
     * expectation, which uses {@code EmailAddresses} itself.
     */
    static final String EMAIL_REGEXP = "^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$";

    /**
     * The floor's decision for each finished order (what its notification would be), over the
     * finished orders {@code f} (id, order_code, user_email, newest task, max-age cutoff) that each
     * form below selects its own way.
     */
    private static final String FLOOR_DECIDE_SQL = """
            CREATE TEMPORARY TABLE bench_finished (PRIMARY KEY (id)) ENGINE=InnoDB
            SELECT f.id, f.order_code, LEFT(f.user_email, 255) AS recipient,
                   CASE WHEN f.newest < f.cutoff THEN 'skipped'
                        WHEN NOT (COALESCE(f.user_email, '') REGEXP ?) THEN 'failed'
                        ELSE 'queued' END AS status,
                   CASE WHEN f.newest < f.cutoff THEN 'newest task older than reconciler.mail.max-age'
                        WHEN NOT (COALESCE(f.user_email, '') REGEXP ?) THEN 'invalid recipient address'
                        ELSE NULL END AS last_error
            """;

    /**
     * The floor, step 1: the processing orders in key order joined to their tasks on the task index
     * and grouped per order as they come (no temporary table for the grouping: each task read once),
     * and each finished order's notification decided, into a temporary InnoDB table (the session's {@link #FLOOR_SESSION_SQL} keeps the aggregation in
     * memory; a MEMORY table fills up at 1M orders, its rows being fixed-width). The forms tried and
     * their times: jobs/performance/history.md, "The honest floor".
     */
    static final String FLOOR_FINISHED_SQL = FLOOR_DECIDE_SQL + """
              FROM (SELECT o.id, o.order_code, o.user_email, MAX(t.updated_at) AS newest,
                           TIMESTAMPADD(SECOND, -?, NOW(3)) AS cutoff
                      FROM orders o
                      JOIN download_tasks t ON t.order_id = o.id
                     WHERE o.order_status = 'processing'
                     GROUP BY o.id
                    HAVING SUM(CASE WHEN t.status IN ('completed', 'failed') THEN 0 ELSE 1 END) = 0) f
            """;

    /**
     * The floor, step 1, aggregate-once form (issue 24.2): every task aggregated in one pass (in the
     * order of the tasks' index on {@code order_id}), then the processing orders joined to that by
     * primary key; the rest as {@link #FLOOR_FINISHED_SQL}. {@code STRAIGHT_JOIN} keeps that order:
     * MariaDB 10.11 otherwise drives from the orders and probes the aggregate per order (30 s
     * instead of 6 s at 200k orders, under load).
     */
    static final String FLOOR_AGGREGATE_ONCE_SQL = FLOOR_DECIDE_SQL + """
              FROM (SELECT STRAIGHT_JOIN o.id, o.order_code, o.user_email, a.newest,
                           TIMESTAMPADD(SECOND, -?, NOW(3)) AS cutoff
                      FROM (SELECT t.order_id, MAX(t.updated_at) AS newest,
                                   SUM(CASE WHEN t.status IN ('completed', 'failed') THEN 0 ELSE 1 END) AS open_tasks
                              FROM download_tasks t
                             WHERE t.order_id IS NOT NULL
                             GROUP BY t.order_id) a
                      JOIN orders o ON o.id = a.order_id
                     WHERE o.order_status = 'processing' AND a.open_tasks = 0) f
            """;

    /** The floor's forms, each measured on its own copy: the floor is the faster one. */
    static final List<String> FLOOR_FORMS = List.of("grouped-join", "aggregate-once");

    /** Lets the floor's aggregation and temporary table stay in memory (a DBA running it by hand would do the same). */
    static final String FLOOR_SESSION_SQL = "SET SESSION tmp_table_size = 1073741824, max_heap_table_size = 1073741824";

    /** The floor, step 2: the finished orders move to completed, by primary key join. */
    static final String FLOOR_COMPLETE_SQL = """
            UPDATE orders o
              JOIN bench_finished f ON f.id = o.id
               SET o.order_status = 'completed'
             WHERE o.order_status = 'processing'
            """;

    /** The floor, step 3: one outbox row per completed order, into the real table with its indexes. */
    static final String FLOOR_NOTIFY_SQL = """
            INSERT INTO order_notifications (order_id, order_code, recipient, status, last_error, message_id)
            SELECT id, order_code, recipient, status, last_error,
                   CONCAT('<order-', order_code, '@order-reconciler.local>')
              FROM bench_finished
            """;

    static final String FLOOR_DROP_SQL = "DROP TEMPORARY TABLE IF EXISTS bench_finished";

    /** The webhook's path, per order: its tasks... */
    static final String PER_ORDER_TASKS_SQL = "SELECT status FROM download_tasks WHERE order_id = ?";

    /** ...then, when they are all terminal, the order. */
    static final String PER_ORDER_COMPLETE_SQL =
            "UPDATE orders SET order_status = 'completed' WHERE id = ? AND order_status = 'processing'";

    /** The database server's process, when it runs on this machine (for its CPU time), else -1. */
    static long dbPid = -1;

    private ScenarioRunner() {}

    /**
     * CPU seconds of this JVM and of the database server, and the machine's steal time (see
     * {@link Cpu#steal()}), to be subtracted from later ones.
     */
    record CpuMark(double jvm, double db, double steal, long nanos) {
        static CpuMark now() {
            return new CpuMark(Cpu.jvm(), Cpu.process(dbPid), Cpu.steal(), System.nanoTime());
        }

        void since(CpuMark start, String prefix, Map<String, String> result) {
            result.put(prefix + "jvmCpu", String.format(Locale.ROOT, "%.2f", jvm - start.jvm));
            result.put(prefix + "dbCpu", String.format(Locale.ROOT, "%.2f", db - start.db));
            double machineSeconds =
                    (nanos - start.nanos) / 1e9 * Runtime.getRuntime().availableProcessors();
            result.put(
                    prefix + "stealPercent",
                    String.format(Locale.ROOT, "%.0f", 100 * (steal - start.steal) / machineSeconds));
        }
    }

    public static void main(String[] args) throws Exception {
        BenchMain.quietLogging();
        preferAngusStreamProvider(); // the smtp scenario's client, as in the job
        String scenario = args[0];
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            o.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        BenchDb.Db db = new BenchDb.Db(o.get("url"), o.get("user"), o.getOrDefault("password", ""), o.get("name"));
        long maxAgeSeconds = Long.parseLong(o.getOrDefault("maxAgeDays", "7")) * 86_400L;
        dbPid = Long.parseLong(o.getOrDefault("dbPid", "-1"));
        HeapWatch heap = new HeapWatch();
        Map<String, String> result = new LinkedHashMap<>();
        switch (scenario) {
            case "floor" ->
                floor(
                        db,
                        "aggregate-once".equals(o.get("form")) ? FLOOR_AGGREGATE_ONCE_SQL : FLOOR_FINISHED_SQL,
                        maxAgeSeconds,
                        heap,
                        result);
            case "per-order" -> perOrder(db, Integer.parseInt(o.getOrDefault("sample", "20000")), heap, result);
            case "job" -> job(db.withParams(o.get("params")), o, heap, result);
            case "smtp" ->
                smtpCeiling(Integer.parseInt(o.get("smtpPort")), Integer.parseInt(o.get("count")), heap, result);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        result.forEach((k, v) -> System.out.println("BENCH " + k + "=" + v));
        System.out.flush();
        System.exit(0);
    }

    // ------------------------------------------------------------------------------------------
    // smtp: what the SMTP server takes from a client that does nothing else
    // ------------------------------------------------------------------------------------------

    /**
     * The SMTP server's own ceiling for the send step: the same number of messages, to the same
     * distinct recipients ({@code buyer<id>@example.com}), of about the same size as the job's (a
     * subject, a text body listing three courses with links), over one connection, one after the
     * other, with no database and no composing beyond Jakarta Mail's. Whatever the send step does
     * per email comes on top of this.
     */
    static void smtpCeiling(int port, int count, HeapWatch heap, Map<String, String> result) throws Exception {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", Integer.toString(port));
        Session session = Session.getInstance(properties);
        String body = """
                Hello,

                your order %s is complete. Your courses:

                - Course %d, part one: https://drive.example.com/file/d/%d-1/view
                - Course %d, part two: https://drive.example.com/file/d/%d-2/view
                - Course %d, part three: https://drive.example.com/file/d/%d-3/view

                Thank you for learning with us.
                """;
        heap.start();
        CpuMark cpu = CpuMark.now();
        long start = System.nanoTime();
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect();
            for (int i = 1; i <= count; i++) {
                String code = ShopGenerator.code(i);
                MimeMessage message = new MimeMessage(session);
                message.setFrom(new InternetAddress("orders@example.com"));
                message.setRecipient(Message.RecipientType.TO, new InternetAddress(ShopGenerator.email(i)));
                message.setSubject("Your order " + code + " is complete", "UTF-8");
                message.setText(body.formatted(code, i, i, i, i, i, i), "UTF-8");
                message.saveChanges();
                transport.sendMessage(message, message.getAllRecipients());
            }
        }
        long end = System.nanoTime();
        CpuMark.now().since(cpu, "", result);
        result.putAll(heap.stop());
        result.put("seconds", seconds(end - start));
        result.put("sent", Integer.toString(count));
    }

    // ------------------------------------------------------------------------------------------
    // floor: the same outcome in plain set-based SQL, one transaction
    // ------------------------------------------------------------------------------------------

    static void floor(BenchDb.Db db, String finishedSql, long maxAgeSeconds, HeapWatch heap, Map<String, String> result)
            throws SQLException {
        try (Connection c = db.open()) {
            BenchDb.execute(c, FLOOR_SESSION_SQL);
            c.setAutoCommit(false);
            heap.start();
            CpuMark cpu = CpuMark.now();
            long start = System.nanoTime();
            int finished;
            int notified;
            int completed;
            try (PreparedStatement decide = c.prepareStatement(finishedSql);
                    PreparedStatement complete = c.prepareStatement(FLOOR_COMPLETE_SQL);
                    PreparedStatement notify = c.prepareStatement(FLOOR_NOTIFY_SQL)) {
                decide.setString(1, EMAIL_REGEXP);
                decide.setString(2, EMAIL_REGEXP);
                decide.setLong(3, maxAgeSeconds);
                finished = decide.executeUpdate();
                long afterDecide = System.nanoTime();
                completed = complete.executeUpdate();
                long afterUpdate = System.nanoTime();
                notified = notify.executeUpdate();
                long afterInsert = System.nanoTime();
                c.commit();
                long end = System.nanoTime();
                CpuMark.now().since(cpu, "", result);
                result.put("decideSeconds", seconds(afterDecide - start));
                result.put("updateSeconds", seconds(afterUpdate - afterDecide));
                result.put("insertSeconds", seconds(afterInsert - afterUpdate));
                result.put("commitSeconds", seconds(end - afterInsert));
                result.put("seconds", seconds(end - start));
                BenchDb.execute(c, FLOOR_DROP_SQL);
            }
            result.putAll(heap.stop());
            result.put("completed", Integer.toString(completed));
            result.put("notifications", Integer.toString(notified));
            if (completed != notified || completed != finished) {
                throw new IllegalStateException("floor: " + finished + " finished, " + completed
                        + " orders completed but " + notified + " notifications");
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // per-order: the shop webhook's path, one SELECT of the order's tasks and one UPDATE per order
    // ------------------------------------------------------------------------------------------

    static void perOrder(BenchDb.Db db, int sample, HeapWatch heap, Map<String, String> result) throws SQLException {
        try (Connection c = db.open()) {
            c.setAutoCommit(true);
            long processing = BenchDb.queryLong(c, "SELECT COUNT(*) FROM orders WHERE order_status = 'processing'");
            List<Long> ids = new ArrayList<>(sample);
            try (PreparedStatement p =
                    c.prepareStatement("SELECT id FROM orders WHERE order_status = 'processing' ORDER BY id LIMIT ?")) {
                p.setInt(1, sample);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            heap.start();
            CpuMark cpu = CpuMark.now();
            long completed = 0;
            long start = System.nanoTime();
            try (PreparedStatement tasks = c.prepareStatement(PER_ORDER_TASKS_SQL);
                    PreparedStatement complete = c.prepareStatement(PER_ORDER_COMPLETE_SQL)) {
                for (long id : ids) {
                    tasks.setLong(1, id);
                    int count = 0;
                    boolean open = false;
                    try (ResultSet rs = tasks.executeQuery()) {
                        while (rs.next()) {
                            count++;
                            open |= !TERMINAL.contains(rs.getString(1));
                        }
                    }
                    if (count > 0 && !open) {
                        complete.setLong(1, id);
                        completed += complete.executeUpdate();
                    }
                }
            }
            long elapsed = System.nanoTime() - start;
            CpuMark.now().since(cpu, "", result);
            result.putAll(heap.stop());
            result.put("sampleOrders", Integer.toString(ids.size()));
            result.put("sampleMaxId", Long.toString(ids.isEmpty() ? 0 : ids.get(ids.size() - 1)));
            result.put("sampleSeconds", seconds(elapsed));
            result.put("processing", Long.toString(processing));
            result.put("completed", Long.toString(completed));
            double extrapolated = ids.isEmpty() ? 0 : elapsed / 1e9 * processing / ids.size();
            result.put("seconds", String.format(Locale.ROOT, "%.3f", extrapolated));
            result.put("extrapolated", Boolean.toString(ids.size() < processing));
        }
    }

    // ------------------------------------------------------------------------------------------
    // job: the real orderCompletionJob in the real application context
    // ------------------------------------------------------------------------------------------

    /** Times the steps and chunks in Java (BATCH_* times are whole seconds on MariaDB). */
    static final class StepTimer implements StepExecutionListener, ChunkListener<Object, Object> {
        final Map<String, Long> started = new LinkedHashMap<>();
        final Map<String, Long> ended = new LinkedHashMap<>();
        final Map<String, List<Long>> chunkStarts = new LinkedHashMap<>();
        final Map<String, CpuMark> cpuStarted = new LinkedHashMap<>();
        final Map<String, CpuMark> cpuEnded = new LinkedHashMap<>();

        @Override
        public void beforeStep(StepExecution stepExecution) {
            SqlTiming.phase = stepExecution.getStepName();
            cpuStarted.put(stepExecution.getStepName(), CpuMark.now());
            started.put(stepExecution.getStepName(), System.nanoTime());
            chunkStarts.put(stepExecution.getStepName(), new ArrayList<>());
        }

        @Override
        public ExitStatus afterStep(StepExecution stepExecution) {
            ended.put(stepExecution.getStepName(), System.nanoTime());
            cpuEnded.put(stepExecution.getStepName(), CpuMark.now());
            SqlTiming.phase = "after-" + stepExecution.getStepName();
            return null;
        }

        @Override
        public void beforeChunk(ChunkContext context) {
            chunkStarts.get(context.getStepContext().getStepName()).add(System.nanoTime());
        }

        double seconds(String step) {
            Long s = started.get(step);
            Long e = ended.get(step);
            return s == null || e == null ? 0 : (e - s) / 1e9;
        }

        /** Each chunk's full cycle (read, process, write, job repository, commit): from one chunk's start to the next. */
        List<Long> chunkNanos(String step) {
            List<Long> starts = chunkStarts.getOrDefault(step, List.of());
            List<Long> cycles = new ArrayList<>();
            for (int i = 0; i < starts.size(); i++) {
                long end = i + 1 < starts.size() ? starts.get(i + 1) : ended.getOrDefault(step, starts.get(i));
                cycles.add(end - starts.get(i));
            }
            return cycles;
        }
    }

    static void job(BenchDb.Db db, Map<String, String> o, HeapWatch heap, Map<String, String> result) {
        List<String> args = new ArrayList<>(List.of(
                "--spring.datasource.url=" + db.url(),
                "--spring.datasource.username=" + db.user(),
                "--spring.datasource.password=" + db.password(),
                "--spring.datasource.driver-class-name=com.mysql.cj.jdbc.Driver",
                "--spring.mail.host=127.0.0.1",
                "--spring.mail.port=" + o.get("smtpPort"),
                "--reconciler.chunk-size=" + o.getOrDefault("chunk", "2000"),
                "--reconciler.partitions=" + o.getOrDefault("partitions", "1")));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(OrderReconcilerApplication.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .initializers(ctx -> ctx.getBeanFactory().addBeanPostProcessor(new BeanPostProcessor() {
                    @Override
                    public Object postProcessAfterInitialization(Object bean, String beanName) {
                        return bean instanceof DataSource ds && "dataSource".equals(beanName)
                                ? SqlTiming.wrap(ds)
                                : bean;
                    }
                }))
                .run(args.toArray(String[]::new));
        try {
            JobOperator operator = context.getBean(JobOperator.class);
            Job job = context.getBean("orderCompletionJob", Job.class);
            StepTimer timer = new StepTimer();
            for (String step : List.of("reconcileStep", "sendStep")) {
                AbstractStep bean = context.getBean(step, AbstractStep.class);
                bean.registerStepExecutionListener(timer);
                if (bean instanceof TaskletStep tasklet) {
                    tasklet.registerChunkListener(timer);
                }
            }
            SqlTiming.phase = "job-start";
            heap.start();
            long start = System.nanoTime();
            JobExecution execution = operator.startNextInstance(job);
            long end = System.nanoTime();
            result.putAll(heap.stop());
            result.put("status", execution.getStatus().toString());
            result.put("jobSeconds", seconds(end - start));
            result.put("seconds", String.format(Locale.ROOT, "%.3f", timer.seconds("reconcile")));
            result.put("sendSeconds", String.format(Locale.ROOT, "%.3f", timer.seconds("send")));
            for (StepExecution step : execution.getStepExecutions()) {
                String p = step.getStepName();
                result.put(p + ".read", Long.toString(step.getReadCount()));
                result.put(p + ".filtered", Long.toString(step.getFilterCount()));
                result.put(p + ".written", Long.toString(step.getWriteCount()));
                result.put(p + ".commits", Long.toString(step.getCommitCount()));
                result.put(p + ".rollbacks", Long.toString(step.getRollbackCount()));
                result.put(p + ".status", step.getStatus().toString());
                result.put(
                        p + ".context",
                        step.getExecutionContext().entrySet().stream()
                                .filter(e -> e.getKey().startsWith("reconcile.")
                                        || e.getKey().startsWith("send."))
                                .map(e -> e.getKey() + ":" + e.getValue())
                                .sorted()
                                .reduce((a, b) -> a + "," + b)
                                .orElse(""));
                if (timer.cpuStarted.containsKey(p) && timer.cpuEnded.containsKey(p)) {
                    timer.cpuEnded.get(p).since(timer.cpuStarted.get(p), p + ".", result);
                }
                List<Long> chunks = timer.chunkNanos(p);
                result.put(p + ".chunks", Integer.toString(chunks.size()));
                if (!chunks.isEmpty()) {
                    List<Long> sorted = new ArrayList<>(chunks);
                    sorted.sort(null);
                    result.put(
                            p + ".chunkMs",
                            String.format(
                                    Locale.ROOT,
                                    "mean %.1f, p50 %.1f, p95 %.1f, max %.1f",
                                    chunks.stream()
                                                    .mapToLong(Long::longValue)
                                                    .average()
                                                    .orElse(0)
                                            / 1e6,
                                    sorted.get(sorted.size() / 2) / 1e6,
                                    sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.95))) / 1e6,
                                    sorted.get(sorted.size() - 1) / 1e6));
                }
            }
            execution
                    .getAllFailureExceptions()
                    .forEach(e -> result.put("failure", String.valueOf(e).replace('\n', ' ')));
            List<String> sql = SqlTiming.lines();
            for (int i = 0; i < sql.size(); i++) {
                result.put("sql." + i, sql.get(i));
            }
        } finally {
            context.close();
        }
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
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
