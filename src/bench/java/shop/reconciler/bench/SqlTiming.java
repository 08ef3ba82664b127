package shop.reconciler.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Where the job's database time goes: wraps the application's {@link DataSource} and times every
 * statement execution and every commit, by step ({@link #phase}) and by statement kind. The cost is
 * two {@code System.nanoTime()} calls and a map lookup per statement.
 */
final class SqlTiming {

    /** The step running now; set by the benchmark's step listener. */
    static volatile String phase = "startup";

    static final class Stat {
        final AtomicLong count = new AtomicLong();
        final AtomicLong nanos = new AtomicLong();
        final AtomicLong maxNanos = new AtomicLong();
        final AtomicLong rows = new AtomicLong();

        void add(long elapsed, long affected) {
            count.incrementAndGet();
            nanos.addAndGet(elapsed);
            maxNanos.accumulateAndGet(elapsed, Math::max);
            if (affected > 0) {
                rows.addAndGet(affected);
            }
        }
    }

    static final Map<String, Stat> STATS = new ConcurrentHashMap<>();

    private SqlTiming() {}

    static DataSource wrap(DataSource target) {
        return new DelegatingDataSource(target) {
            @Override
            public Connection getConnection() throws SQLException {
                return connection(super.getConnection());
            }

            @Override
            public Connection getConnection(String username, String password) throws SQLException {
                return connection(super.getConnection(username, password));
            }
        };
    }

    static void record(String label, long elapsed, long affected) {
        STATS.computeIfAbsent(phase + "|" + label, k -> new Stat()).add(elapsed, affected);
    }

    /** {@code phase|label|count|totalMs|maxMs|rows} lines, by phase then total time. */
    static List<String> lines() {
        List<Map.Entry<String, Stat>> entries = new ArrayList<>(STATS.entrySet());
        entries.sort((a, b) -> {
            String pa = a.getKey().substring(0, a.getKey().indexOf('|'));
            String pb = b.getKey().substring(0, b.getKey().indexOf('|'));
            int byPhase = pa.compareTo(pb);
            return byPhase != 0
                    ? byPhase
                    : Long.compare(b.getValue().nanos.get(), a.getValue().nanos.get());
        });
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Stat> e : entries) {
            Stat s = e.getValue();
            lines.add(String.format(
                    Locale.ROOT,
                    "%s|%d|%.1f|%.2f|%d",
                    e.getKey(),
                    s.count.get(),
                    s.nanos.get() / 1e6,
                    s.maxNanos.get() / 1e6,
                    s.rows.get()));
        }
        return lines;
    }

    private static final Map<String, String> LABELS = new ConcurrentHashMap<>();

    /**
     * {@link #label}, remembered per statement text: the constant queries come back hundreds of
     * times. Texts that carry a chunk's ids (longer than {@link #CACHED_TEXT}) are labelled each
     * time instead: remembering them would keep every chunk's text on the heap of the job being
     * measured (tens of MB at a million orders, which showed up as the job's own heap growing).
     */
    static String cachedLabel(String sql) {
        if (sql == null || sql.length() > CACHED_TEXT) {
            return label(sql);
        }
        if (LABELS.size() > 1_000) {
            LABELS.clear();
        }
        return LABELS.computeIfAbsent(sql, SqlTiming::label);
    }

    private static final int CACHED_TEXT = 2_000;

    /** A short name for a statement: which of the reconciler's queries it is, or which table it touches. */
    static String label(String sql) {
        if (sql == null) {
            return "batch";
        }
        String s = sql.replaceAll("\\s+", " ").trim();
        String u = s.toUpperCase(Locale.ROOT);
        if (u.contains("BATCH_")) {
            int at = u.indexOf("BATCH_");
            int end = at;
            while (end < u.length() && (Character.isLetterOrDigit(u.charAt(end)) || u.charAt(end) == '_')) {
                end++;
            }
            return "jobrepo " + u.substring(0, u.indexOf(' ') < 0 ? u.length() : u.indexOf(' ')) + " "
                    + u.substring(at, end);
        }
        if (u.contains("SHEDLOCK")) {
            return "lease";
        }
        if (u.startsWith("SELECT O.ID, O.ORDER_CODE, COUNT(T.ID)")) {
            return "reconcile.read ProcessingOrderReader.PAGE_SQL";
        }
        if (u.contains("FOR UPDATE") && u.contains("FROM ORDERS")) {
            return "reconcile.write CompletionWriter.LOCK_SQL";
        }
        if (u.startsWith("UPDATE ORDERS O SET O.ORDER_STATUS = 'COMPLETED'")) {
            return u.contains("NOT EXISTS")
                    ? "reconcile.write CompletionWriter.COMPLETE_SQL (under share locks)"
                    : "reconcile.write ChunkCompletion.COMPLETE_COUNTED_SQL (gaps locked)";
        }
        if (u.startsWith("SELECT T.ORDER_ID, SUM(")) {
            return "reconcile.write CompletionWriter.TALLY_TASKS_SQL";
        }
        if (u.startsWith("SELECT O.ID FROM ORDERS O WHERE O.ID IN")) {
            return "reconcile.write CompletionWriter.COMPLETED_SQL";
        }
        if (u.startsWith("INSERT INTO ORDER_NOTIFICATIONS") && u.contains(") SELECT ")) {
            return "reconcile.write CompletionWriter.COPY_SKIPPED_SQL";
        }
        if (u.startsWith("INSERT INTO ORDER_NOTIFICATIONS")) {
            return "reconcile.write CompletionWriter.INSERT_NOTIFICATION_SQL";
        }
        if (u.startsWith("SELECT ID, ORDER_ID, ORDER_CODE, RECIPIENT, ATTEMPTS, MESSAGE_ID FROM ORDER_NOTIFICATIONS")) {
            return "send.read QueuedNotificationReader.PAGE_SQL";
        }
        if (u.startsWith("SELECT ORDER_ID, COURSE_TITLE, COURSE_URL")) {
            return "send.write NotificationSender.TASKS_SQL";
        }
        if (u.startsWith("UPDATE ORDER_NOTIFICATIONS SET CLAIMED_BY")) {
            return "send.write NotificationSender.CLAIM_SQL";
        }
        if (u.startsWith("UPDATE ORDER_NOTIFICATIONS SET STATUS = 'SENT'")) {
            return "send.write NotificationSender.SENT_SQL";
        }
        if (u.startsWith("UPDATE ORDER_NOTIFICATIONS")) {
            return "send.write NotificationSender (failed/retry)";
        }
        return "other: " + (s.length() > 60 ? s.substring(0, 60) : s);
    }

    private static Connection connection(Connection target) {
        return (Connection) Proxy.newProxyInstance(
                SqlTiming.class.getClassLoader(), new Class<?>[] {Connection.class}, new ConnectionHandler(target));
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private record ConnectionHandler(Connection target) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            switch (name) {
                case "commit", "rollback" -> {
                    if (args == null || args.length == 0) {
                        long start = System.nanoTime();
                        Object result = SqlTiming.invoke(target, method, args);
                        record(name.toUpperCase(Locale.ROOT), System.nanoTime() - start, 0);
                        return result;
                    }
                    return SqlTiming.invoke(target, method, args);
                }
                case "prepareStatement", "prepareCall" -> {
                    Object statement = SqlTiming.invoke(target, method, args);
                    Class<?> type =
                            statement instanceof CallableStatement ? CallableStatement.class : PreparedStatement.class;
                    return Proxy.newProxyInstance(
                            SqlTiming.class.getClassLoader(),
                            new Class<?>[] {type},
                            new StatementHandler((Statement) statement, cachedLabel((String) args[0])));
                }
                case "createStatement" -> {
                    Object statement = SqlTiming.invoke(target, method, args);
                    return Proxy.newProxyInstance(
                            SqlTiming.class.getClassLoader(),
                            new Class<?>[] {Statement.class},
                            new StatementHandler((Statement) statement, null));
                }
                case "unwrap" -> {
                    return ((Class<?>) args[0]).isInstance(proxy) ? proxy : target.unwrap((Class<?>) args[0]);
                }
                case "isWrapperFor" -> {
                    return ((Class<?>) args[0]).isInstance(proxy) || target.isWrapperFor((Class<?>) args[0]);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                default -> {
                    return SqlTiming.invoke(target, method, args);
                }
            }
        }
    }

    private record StatementHandler(Statement target, String label) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.startsWith("execute")) {
                String what = label != null
                        ? label
                        : args != null && args.length > 0 && args[0] instanceof String sql
                                ? SqlTiming.cachedLabel(sql)
                                : "batch";
                long start = System.nanoTime();
                Object result = SqlTiming.invoke(target, method, args);
                long elapsed = System.nanoTime() - start;
                long affected = 0;
                if (result instanceof Integer i) {
                    affected = i;
                } else if (result instanceof Long l) {
                    affected = l;
                } else if (result instanceof int[] counts) {
                    for (int c : counts) {
                        affected += Math.max(c, 0) + (c == Statement.SUCCESS_NO_INFO ? 1 : 0);
                    }
                }
                record(what, elapsed, affected);
                return result;
            }
            switch (name) {
                case "getConnection" -> {
                    return SqlTiming.invoke(target, method, args);
                }
                case "unwrap" -> {
                    return ((Class<?>) args[0]).isInstance(proxy) ? proxy : target.unwrap((Class<?>) args[0]);
                }
                case "isWrapperFor" -> {
                    return ((Class<?>) args[0]).isInstance(proxy) || target.isWrapperFor((Class<?>) args[0]);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                default -> {
                    return SqlTiming.invoke(target, method, args);
                }
            }
        }
    }
}
