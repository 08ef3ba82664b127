package shop.reconciler.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import shop.reconciler.addressing.EmailAddresses;

/**
 * A deterministic shop of {@code N} orders covering every case the completion rules distinguish.
 *
 * <p>Every order's shape comes from its own random stream (seeded with the seed and the order id),
 * so the shop can be generated twice (once for the orders, once for the tasks) and a shop of 10k
 * orders is exactly the first 10k orders of the 1M shop. Task ids are assigned in order.
 *
 * <ul>
 *   <li>10% not {@code processing} (pending 3%, completed 5%, failed 2%), most with terminal tasks:
 *       never candidates, never touched.
 *   <li>90% {@code processing}: 1% of them without any task (anomalies), 12% with at least one
 *       non-terminal task ({@code pending}, {@code processing}, {@code enrolled}), the rest
 *       finished (every task {@code completed} or {@code failed}, each task failed with 5%).
 *   <li>1 to 5 tasks per order (3 on average); one task without order ({@code order_id NULL})
 *       after every 100th order.
 *   <li>Backlog: tasks last changed 8 to 720 days ago (older than {@code reconciler.mail.max-age},
 *       7 days), except 1 finished order in 100 changed 1 to 47 hours ago: the ones emailed.
 *   <li>3% of orders have a missing or unusable {@code user_email} (null, blank, malformed, two
 *       addresses, no dot in the domain, a non-ASCII local part).
 * </ul>
 */
public final class ShopGenerator {

    static final long SEED = 20_260_401L;

    /** Unusable recipients, each refused by {@link EmailAddresses#check} (checked by {@link #checkEmailCases}). */
    static final String[] INVALID_EMAILS = {
        null,
        "",
        "   ",
        "not-an-email",
        "two@@example.com",
        "user@localhost",
        "δοκιμή@example.com",
        "a b@example.com",
        "x@example.com, y@example.com"
    };

    private static final String[] OPEN_STATUSES = {"pending", "processing", "enrolled"};

    enum Kind {
        PENDING_ORDER,
        COMPLETED_ORDER,
        FAILED_ORDER,
        ANOMALY,
        OPEN,
        FINISHED
    }

    record Task(
            long id,
            Long orderId,
            String email,
            String title,
            String url,
            String status,
            String driveLink,
            String error,
            LocalDateTime createdAt,
            LocalDateTime updatedAt) {}

    record Order(
            long id,
            String code,
            String email,
            String paymentStatus,
            String orderStatus,
            Kind kind,
            boolean recent,
            LocalDateTime createdAt,
            List<Task> tasks) {

        /** What the reconciler must record for this order once it completes it. */
        String expectedNotification() {
            if (kind != Kind.FINISHED) {
                return null;
            }
            if (!recent) {
                return "skipped";
            }
            return EmailAddresses.isValid(email) ? "queued" : "failed";
        }

        boolean completedAfterReconcile() {
            return kind == Kind.FINISHED || kind == Kind.COMPLETED_ORDER;
        }
    }

    /** Counts and checksums of what the shop looks like, and what a correct reconcile leaves. */
    static final class Expected {
        long orders;
        long tasks;
        long orphanTasks;
        long processing;
        long finished;
        long open;
        long anomalies;
        long notProcessing;
        long queued;
        long skipped;
        long failed;
        final IdSet completedAfter = new IdSet();
        final java.util.Map<String, IdSet> notifications = new java.util.TreeMap<>(
                java.util.Map.of("queued", new IdSet(), "skipped", new IdSet(), "failed", new IdSet()));

        void add(Order o) {
            orders++;
            for (Task t : o.tasks()) {
                tasks++;
                if (t.orderId() == null) {
                    orphanTasks++;
                }
            }
            switch (o.kind()) {
                case FINISHED -> finished++;
                case OPEN -> open++;
                case ANOMALY -> anomalies++;
                default -> notProcessing++;
            }
            if ("processing".equals(o.orderStatus())) {
                processing++;
            }
            String n = o.expectedNotification();
            if (n != null) {
                notifications.get(n).add(o.id());
            }
            if ("queued".equals(n)) {
                queued++;
            } else if ("skipped".equals(n)) {
                skipped++;
            } else if ("failed".equals(n)) {
                failed++;
            }
            if (o.completedAfterReconcile()) {
                completedAfter.add(o.id());
            }
        }

        @Override
        public String toString() {
            return String.format(
                    "orders %d, tasks %d (%d without order); processing %d: finished %d, open %d,"
                            + " anomalies %d; not processing %d; finished -> queued %d, skipped %d, failed %d",
                    orders,
                    tasks,
                    orphanTasks,
                    processing,
                    finished,
                    open,
                    anomalies,
                    notProcessing,
                    queued,
                    skipped,
                    failed);
        }
    }

    /** An order-independent checksum of a set of ids, the same one {@link BenchDb#completedSet} computes in SQL. */
    static final class IdSet {
        long count;
        long sum;
        long crcXor;

        void add(long id) {
            count++;
            sum += id;
            CRC32 crc = new CRC32();
            crc.update(Long.toString(id).getBytes(StandardCharsets.US_ASCII));
            crcXor ^= crc.getValue();
        }

        IdSet minus(IdSet other) {
            IdSet d = new IdSet();
            d.count = count - other.count;
            d.sum = sum - other.sum;
            d.crcXor = crcXor ^ other.crcXor;
            return d;
        }

        boolean sameAs(IdSet other) {
            return count == other.count && sum == other.sum && crcXor == other.crcXor;
        }

        @Override
        public String toString() {
            return "{count " + count + ", sum " + sum + ", crc32-xor " + crcXor + "}";
        }
    }

    private final long orders;
    private final LocalDateTime now;

    /** @param now the database's clock ({@code NOW(3)}), so that ages are measured on it */
    public ShopGenerator(long orders, LocalDateTime now) {
        this.orders = orders;
        this.now = now;
    }

    static void checkEmailCases() {
        for (String invalid : INVALID_EMAILS) {
            if (EmailAddresses.isValid(invalid)) {
                throw new IllegalStateException(
                        "the generator's invalid email '" + invalid + "' is accepted by EmailAddresses");
            }
        }
        if (!EmailAddresses.isValid(email(12345))) {
            throw new IllegalStateException("the generator's valid email is refused by EmailAddresses");
        }
    }

    static String email(long id) {
        return "buyer" + id + "@example.com";
    }

    static String code(long id) {
        String digits = Long.toString(id);
        return "BO" + "000000000".substring(Math.min(9, digits.length())) + digits;
    }

    Iterator<Order> iterator() {
        return new Iterator<>() {
            long next = 1;
            long taskId = 1;

            @Override
            public boolean hasNext() {
                return next <= orders;
            }

            @Override
            public Order next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Order order = order(next++, taskId);
                taskId += order.tasks().size();
                return order;
            }
        };
    }

    public Expected expected() {
        return expected(Long.MAX_VALUE);
    }

    /** What the orders with {@code id <= maxId} look like and must become. */
    Expected expected(long maxId) {
        Expected e = new Expected();
        for (Iterator<Order> it = iterator(); it.hasNext(); ) {
            Order o = it.next();
            if (o.id() > maxId) {
                break;
            }
            e.add(o);
        }
        return e;
    }

    /** The orders, adding each to {@code expected} as it goes by. */
    Iterator<Order> iterator(Expected expected) {
        Iterator<Order> orders = iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return orders.hasNext();
            }

            @Override
            public Order next() {
                Order o = orders.next();
                expected.add(o);
                return o;
            }
        };
    }

    private Order order(long id, long firstTaskId) {
        SplittableRandom rnd = new SplittableRandom(SEED * 1_000_003L + id);
        double u = rnd.nextDouble();
        Kind kind;
        String orderStatus;
        String payment = "paid";
        if (u < 0.03) {
            kind = Kind.PENDING_ORDER;
            orderStatus = "pending";
            payment = rnd.nextBoolean() ? "pending" : "paid";
        } else if (u < 0.08) {
            kind = Kind.COMPLETED_ORDER;
            orderStatus = "completed";
        } else if (u < 0.10) {
            kind = Kind.FAILED_ORDER;
            orderStatus = "failed";
            payment = rnd.nextBoolean() ? "failed" : "refunded";
        } else {
            orderStatus = "processing";
            double v = rnd.nextDouble();
            kind = v < 0.01 ? Kind.ANOMALY : v < 0.13 ? Kind.OPEN : Kind.FINISHED;
        }
        String email = rnd.nextDouble() < 0.03 ? INVALID_EMAILS[rnd.nextInt(INVALID_EMAILS.length)] : email(id);
        boolean recent = kind == Kind.FINISHED && rnd.nextDouble() < 0.01;
        // The newest task's change: 1..47 hours ago for a recent order, else 8..720 days ago.
        LocalDateTime newest = recent
                ? now.minusMinutes(60 + rnd.nextInt(46 * 60))
                : now.minusDays(8).minusMinutes(rnd.nextInt(712 * 24 * 60));
        int taskCount = kind == Kind.ANOMALY ? 0 : 1 + rnd.nextInt(5);
        List<Task> tasks = new ArrayList<>(taskCount + 1);
        String orderCode = code(id);
        int openIndex = kind == Kind.OPEN ? rnd.nextInt(taskCount) : -1;
        for (int i = 0; i < taskCount; i++) {
            String status;
            if (i == openIndex) {
                status = OPEN_STATUSES[rnd.nextInt(OPEN_STATUSES.length)];
            } else if (kind == Kind.PENDING_ORDER) {
                status = rnd.nextInt(3) == 0 ? "completed" : "pending";
            } else if (kind == Kind.FAILED_ORDER) {
                status = "failed";
            } else if (kind == Kind.OPEN) {
                status = rnd.nextInt(3) == 0 ? OPEN_STATUSES[rnd.nextInt(OPEN_STATUSES.length)] : "completed";
            } else {
                status = rnd.nextDouble() < 0.05 ? "failed" : "completed";
            }
            tasks.add(task(
                    firstTaskId + i,
                    id,
                    orderCode,
                    i,
                    status,
                    rnd,
                    i == 0 ? newest : newest.minusMinutes(rnd.nextInt(72 * 60)),
                    email));
        }
        if (id % 100 == 0) {
            tasks.add(task(
                    firstTaskId + taskCount,
                    null,
                    "ORPHAN" + id,
                    0,
                    rnd.nextBoolean() ? "completed" : "pending",
                    rnd,
                    newest,
                    null));
        }
        LocalDateTime created = newest.minusDays(3);
        return new Order(id, orderCode, email, payment, orderStatus, kind, recent, created, tasks);
    }

    private static Task task(
            long taskId,
            Long orderId,
            String orderCode,
            int index,
            String status,
            SplittableRandom rnd,
            LocalDateTime updated,
            String email) {
        int course = rnd.nextInt(5000);
        String title =
                rnd.nextInt(20) == 0 ? null : "Course " + course + " (" + (index + 1) + ". of " + orderCode + ")";
        String url = "https://courses.example.com/c/" + course + "/enrol";
        String drive =
                "completed".equals(status) ? "https://drive.example.com/d/" + orderCode + "-" + (index + 1) : null;
        String error = "failed".equals(status) ? "enrolment refused by the course site (HTTP 403)" : null;
        return new Task(taskId, orderId, email, title, url, status, drive, error, updated.minusHours(2), updated);
    }

    // ------------------------------------------------------------------------------------------
    // Loading
    // ------------------------------------------------------------------------------------------

    static final String ORDER_COLUMNS =
            "id, order_code, user_email, total_amount, payment_status, order_status, created_at, updated_at";
    static final String TASK_COLUMNS =
            "id, order_id, email, course_title, course_url, status, drive_link, error_message, created_at, updated_at";

    /**
     * Loads the shop with {@code LOAD DATA LOCAL INFILE} streamed from memory (the connection needs
     * {@code allowLoadLocalInfile=true}), falling back to multi-row INSERTs (batches rewritten by
     * {@code rewriteBatchedStatements=true}) when the server refuses local infile.
     *
     * @return what was loaded (counted as it went by), and how
     */
    Loaded load(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SET SESSION foreign_key_checks = 0, unique_checks = 0");
        }
        Loaded loaded;
        try {
            Expected expected = new Expected();
            loadData(connection, "orders", ORDER_COLUMNS, iterator(expected), true);
            loadData(connection, "download_tasks", TASK_COLUMNS, iterator(), false);
            loaded = new Loaded(expected, "LOAD DATA LOCAL INFILE");
        } catch (SQLException e) {
            System.err.println("bench: LOAD DATA LOCAL INFILE refused (" + e.getMessage()
                    + "); loading with multi-row INSERTs instead");
            try (Statement s = connection.createStatement()) {
                s.execute("DELETE FROM download_tasks");
                s.execute("DELETE FROM orders");
            }
            Expected expected = new Expected();
            insertRows(connection, iterator(expected));
            loaded = new Loaded(expected, "multi-row INSERT (rewriteBatchedStatements=true)");
        }
        try (Statement s = connection.createStatement()) {
            s.execute("SET SESSION foreign_key_checks = 1, unique_checks = 1");
        }
        return loaded;
    }

    /** What was loaded, and how. */
    record Loaded(Expected expected, String how) {}

    private void loadData(Connection connection, String table, String columns, Iterator<Order> rows, boolean orderRows)
            throws SQLException {
        try (Statement s = connection.createStatement()) {
            com.mysql.cj.jdbc.JdbcStatement mysql = s.unwrap(com.mysql.cj.jdbc.JdbcStatement.class);
            mysql.setLocalInfileInputStream(new TsvStream(rows, orderRows));
            s.execute("LOAD DATA LOCAL INFILE 'generated-" + table + ".tsv' INTO TABLE " + table
                    + " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'"
                    + " (" + columns + ")");
            int warnings = 0;
            for (java.sql.SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                if (warnings++ < 5) {
                    System.err.println("bench: LOAD DATA warning on " + table + ": " + w.getMessage());
                }
            }
            if (warnings > 0) {
                throw new IllegalStateException(
                        warnings + " warning(s) loading " + table + ": the data would not be what was generated");
            }
        }
    }

    private void insertRows(Connection connection, Iterator<Order> all) throws SQLException {
        boolean auto = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (PreparedStatement orders = connection.prepareStatement(
                        "INSERT INTO orders (" + ORDER_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
                PreparedStatement tasks = connection.prepareStatement(
                        "INSERT INTO download_tasks (" + TASK_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int pendingOrders = 0;
            int pendingTasks = 0;
            for (Iterator<Order> it = all; it.hasNext(); ) {
                Order o = it.next();
                orders.setLong(1, o.id());
                orders.setString(2, o.code());
                orders.setString(3, o.email());
                orders.setBigDecimal(4, new java.math.BigDecimal("49.90"));
                orders.setString(5, o.paymentStatus());
                orders.setString(6, o.orderStatus());
                orders.setString(7, timestamp(o.createdAt()));
                orders.setString(8, timestamp(o.createdAt()));
                orders.addBatch();
                pendingOrders++;
                for (Task t : o.tasks()) {
                    tasks.setLong(1, t.id());
                    tasks.setObject(2, t.orderId());
                    tasks.setString(3, t.email());
                    tasks.setString(4, t.title());
                    tasks.setString(5, t.url());
                    tasks.setString(6, t.status());
                    tasks.setString(7, t.driveLink());
                    tasks.setString(8, t.error());
                    tasks.setString(9, timestamp(t.createdAt()));
                    tasks.setString(10, timestamp(t.updatedAt()));
                    tasks.addBatch();
                    pendingTasks++;
                }
                if (pendingOrders >= 2000) {
                    orders.executeBatch();
                    tasks.executeBatch();
                    connection.commit();
                    pendingOrders = 0;
                    pendingTasks = 0;
                }
            }
            if (pendingOrders > 0 || pendingTasks > 0) {
                orders.executeBatch();
                tasks.executeBatch();
            }
            connection.commit();
        } finally {
            connection.setAutoCommit(auto);
        }
    }

    /** {@code yyyy-MM-dd HH:mm:ss.SSS}, without the cost of a DateTimeFormatter per value. */
    static String timestamp(LocalDateTime t) {
        StringBuilder b = new StringBuilder(23);
        appendTimestamp(b, t);
        return b.toString();
    }

    static void appendTimestamp(StringBuilder b, LocalDateTime t) {
        b.append(t.getYear()).append('-');
        two(b, t.getMonthValue()).append('-');
        two(b, t.getDayOfMonth()).append(' ');
        two(b, t.getHour()).append(':');
        two(b, t.getMinute()).append(':');
        two(b, t.getSecond()).append('.');
        int millis = t.getNano() / 1_000_000;
        b.append((char) ('0' + millis / 100))
                .append((char) ('0' + millis / 10 % 10))
                .append((char) ('0' + millis % 10));
    }

    private static StringBuilder two(StringBuilder b, int v) {
        return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    /** The orders or the tasks of the shop as tab-separated lines, generated while the server reads them. */
    private static final class TsvStream extends InputStream {
        private final Iterator<Order> orders;
        private final boolean orderRows;
        private final StringBuilder line = new StringBuilder(4096);
        private byte[] buffer = new byte[0];
        private int position;

        TsvStream(Iterator<Order> orders, boolean orderRows) {
            this.orders = orders;
            this.orderRows = orderRows;
        }

        private boolean fill() {
            line.setLength(0);
            // Some hundred rows at a time, so that the byte conversion is not per row.
            while (line.length() < 64 * 1024 && orders.hasNext()) {
                Order o = orders.next();
                if (orderRows) {
                    line.append(o.id()).append('\t');
                    field(o.code()).append('\t');
                    field(o.email()).append('\t');
                    line.append("49.90\t");
                    line.append(o.paymentStatus())
                            .append('\t')
                            .append(o.orderStatus())
                            .append('\t');
                    appendTimestamp(line, o.createdAt());
                    line.append('\t');
                    appendTimestamp(line, o.createdAt());
                    line.append('\n');
                } else {
                    for (Task t : o.tasks()) {
                        line.append(t.id()).append('\t');
                        if (t.orderId() == null) {
                            line.append("\\N");
                        } else {
                            line.append(t.orderId().longValue());
                        }
                        line.append('\t');
                        field(t.email()).append('\t');
                        field(t.title()).append('\t');
                        field(t.url()).append('\t');
                        line.append(t.status()).append('\t');
                        field(t.driveLink()).append('\t');
                        field(t.error()).append('\t');
                        appendTimestamp(line, t.createdAt());
                        line.append('\t');
                        appendTimestamp(line, t.updatedAt());
                        line.append('\n');
                    }
                }
            }
            if (line.length() == 0) {
                return false;
            }
            buffer = line.toString().getBytes(StandardCharsets.UTF_8);
            position = 0;
            return true;
        }

        private StringBuilder field(String value) {
            if (value == null) {
                return line.append("\\N");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '\t' -> line.append("\\t");
                    case '\n' -> line.append("\\n");
                    case '\\' -> line.append("\\\\");
                    default -> line.append(c);
                }
            }
            return line;
        }

        @Override
        public int read() throws IOException {
            if (position >= buffer.length && !fill()) {
                return -1;
            }
            return buffer[position++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (position >= buffer.length && !fill()) {
                return -1;
            }
            int n = Math.min(len, buffer.length - position);
            System.arraycopy(buffer, position, b, off, n);
            position += n;
            return n;
        }
    }
}
