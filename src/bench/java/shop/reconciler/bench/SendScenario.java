package shop.reconciler.bench;

import com.icegreen.greenmail.util.GreenMail;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import shop.reconciler.support.PostfixRelay;

/**
 * The {@code send} scenario: the send step against its ceiling, on two servers, in one invocation.
 *
 * <ol>
 *   <li>The servers: the bench's GreenMail, and Debian's postfix started here on loopback with a
 *       spool of its own ({@link PostfixRelay}), relaying to that GreenMail.
 *   <li>For each server and each run: the ceiling, a bare client sending {@code --send-emails}
 *       messages over one connection (the smtp scenario's client); then, for each
 *       {@code --send-connections} value, the job on a fresh copy of the shop with that many
 *       notifications queued beforehand (plus what the reconcile step queues), its send step timed.
 *   <li>Each job row's ratio is its rate over the ceiling's rate of the same server and run. With
 *       postfix, the bench waits until GreenMail has every message before the next measurement.
 *   <li>The job talks to the server as the bare client does, in clear ({@link #CLEAR}): by default
 *       it would use STARTTLS, which GreenMail and the bench's postfix offer, and the ratio would
 *       then weigh TLS against no TLS instead of the job against the client.
 * </ol>
 */
final class SendScenario {

    interface Child {
        Map<String, String> run(String scenario, BenchDb.Db db, long n, String[] variant) throws Exception;
    }

    interface Copy {
        BenchDb.Db copy(BenchDb.Db template, String scenario, long n) throws SQLException;
    }

    static final String QUEUE_SQL = """
            INSERT INTO order_notifications (order_id, order_code, recipient, status, message_id)
            SELECT id, order_code, CONCAT('customer-', id, '@example.com'), 'queued',
                   CONCAT('<order-', id, '@bench.example.com>')
              FROM orders
             WHERE order_status <> 'processing'
             ORDER BY id
             LIMIT %d
            """;

    /** The bare client's transport for the job: STARTTLS off, so both talk to the server in clear. */
    static final String CLEAR = "-Dspring.mail.properties.mail.smtp.starttls.enable=false";

    private final GreenMail greenMail;
    private final Child child;
    private final Copy copy;
    private final Consumer<BenchDb.Db> drop;
    private final Consumer<String> say;

    SendScenario(GreenMail greenMail, Child child, Copy copy, Consumer<BenchDb.Db> drop, Consumer<String> say) {
        this.greenMail = greenMail;
        this.child = child;
        this.copy = copy;
        this.drop = drop;
        this.say = say;
    }

    List<BenchMain.Row> run(long n, BenchDb.Db template, int emails, List<Integer> connections, int repeat)
            throws Exception {
        List<BenchMain.Row> rows = new ArrayList<>();
        rows.addAll(server(n, template, emails, connections, repeat, "GreenMail", false));
        rows.addAll(server(n, template, emails, connections, repeat, "postfix", true));
        return rows;
    }

    /** A fresh GreenMail (its port changes), and postfix before it when relayed; closing stops postfix. */
    private interface Target extends AutoCloseable {
        int port();

        @Override
        void close();
    }

    private Target fresh(boolean relayed) {
        greenMail.reset();
        int greenMailPort = greenMail.getSmtp().getPort();
        if (!relayed) {
            return new Target() {
                @Override
                public int port() {
                    return greenMailPort;
                }

                @Override
                public void close() {}
            };
        }
        PostfixRelay postfix = PostfixRelay.start(greenMailPort);
        return new Target() {
            @Override
            public int port() {
                return postfix.port();
            }

            @Override
            public void close() {
                postfix.close();
            }
        };
    }

    private List<BenchMain.Row> server(
            long n,
            BenchDb.Db template,
            int emails,
            List<Integer> connections,
            int repeat,
            String server,
            boolean relayed)
            throws Exception {
        List<BenchMain.Row> rows = new ArrayList<>();
        for (int k = 1; k <= repeat; k++) {
            String run = repeat > 1 ? ", run=" + k + "/" + repeat : "";
            Map<String, String> bare;
            try (Target target = fresh(relayed)) {
                bare = child.run("smtp", template, n, new String[] {"count=" + emails, "smtpPort=" + target.port()});
                awaitReceived(emails, relayed);
            }
            double ceilingSeconds = Double.parseDouble(bare.get("seconds"));
            double ceiling = emails / ceilingSeconds;
            say.accept(String.format(
                    Locale.ROOT, "   send ceiling (%s): %.2f s, %.0f emails/s", server, ceilingSeconds, ceiling));
            rows.add(row(
                    n,
                    "send ceiling",
                    server + ", bare client, one connection" + run,
                    emails,
                    ceilingSeconds,
                    1.0,
                    bare,
                    ""));
            for (int c : connections) {
                BenchDb.Db db = copy.copy(template, "send", n);
                try {
                    try (Connection connection = DriverManager.getConnection(db.url(), db.user(), db.password())) {
                        BenchDb.execute(connection, String.format(Locale.ROOT, QUEUE_SQL, emails));
                    }
                    Map<String, String> r;
                    long sent;
                    try (Target target = fresh(relayed)) {
                        r = child.run("job", db, n, new String[] {
                            "jvm=-Dreconciler.mail.connections=" + c + " " + CLEAR, "smtpPort=" + target.port()
                        });
                        sent = Long.parseLong(r.getOrDefault("send.written", "0"));
                        awaitReceived((int) sent, relayed);
                    }
                    double seconds = Double.parseDouble(r.get("sendSeconds"));
                    double rate = sent / seconds;
                    say.accept(String.format(
                            Locale.ROOT,
                            "   send (%s, connections=%d): %,d emails in %.2f s, %.0f emails/s, %.2f of the ceiling",
                            server,
                            c,
                            sent,
                            seconds,
                            rate,
                            rate / ceiling));
                    rows.add(row(
                            n,
                            "job send",
                            server + ", connections=" + c + ", in clear" + run,
                            sent,
                            seconds,
                            rate / ceiling,
                            r,
                            "; in clear as the bare client (mail.smtp.starttls.enable=false); per email: "
                                    + BenchMain.perEmail(r.getOrDefault("send.context", ""), sent)));
                } finally {
                    drop.accept(db);
                }
            }
        }
        return rows;
    }

    /** Through postfix, the messages reach GreenMail later: the next measurement starts once they have. */
    private void awaitReceived(int count, boolean relayed) throws InterruptedException {
        long end = System.nanoTime() + (relayed ? 600_000_000_000L : 10_000_000_000L);
        while (greenMail.getReceivedMessages().length < count && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        int received = greenMail.getReceivedMessages().length;
        if (received < count) {
            say.accept("CHECK FAILED: emails received by GreenMail: got " + received + ", expected " + count);
        }
    }

    private static BenchMain.Row row(
            long n,
            String scenario,
            String variant,
            long count,
            double seconds,
            double ratio,
            Map<String, String> r,
            String note) {
        return new BenchMain.Row(
                n,
                scenario,
                variant,
                count,
                seconds,
                count / seconds,
                "emails/s",
                ratio,
                number(r.get("peakHeapMb")),
                number(r.get("liveHeapMb")),
                false,
                // the job's send step, or the bare client's whole run
                number(r.getOrDefault("send.jvmCpu", r.get("jvmCpu"))),
                number(r.get("send.dbCpu")),
                number(r.get("load")),
                "ratio: of the bare client's rate to the same server in the same run" + note);
    }

    private static double number(String value) {
        try {
            return value == null ? Double.NaN : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
