package shop.reconciler.support;

import com.icegreen.greenmail.util.GreenMail;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import shop.reconciler.cli.CliRunner;

/**
 * A fresh shop (its own database on the real server, the reconciler's schema made by a first
 * {@code status}) and {@code serve} as a process of its own on a free management port, ticking
 * every 2 seconds: what the tests of the HTTP port (Actuator, the console) start from. Serve
 * starts with {@link ReconcilerProcess}'s short-command options unless {@link #asInstalled()}.
 */
public final class ServeUnderTest implements AutoCloseable {

    public final TestDatabase.DatabaseRef database;
    public final ShopFixture shop;
    private final GreenMail smtp;
    private final int port;
    private ReconcilerProcess serve;
    private List<String> jvmOptions = List.of();
    private boolean asInstalled;
    private String urlParameters = "";

    public ServeUnderTest(String databasePrefix, GreenMail smtp) {
        this.database = TestDatabase.server().createDatabase(databasePrefix);
        this.shop = new ShopFixture(database.dataSource()).createSchema();
        this.smtp = smtp;
        CliRunner.Result status = cli("status");
        if (status.exit() != 0) {
            throw new AssertionError("status did not make the reconciler's schema: " + status.describe());
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** JVM options of the {@code serve} started next (e.g. {@code -Duser.timezone=...}). */
    public ServeUnderTest withJvmOptions(String... options) {
        this.jvmOptions = List.of(options);
        return this;
    }

    /**
     * Serve started next as jobs/reconcile-orders starts it, with the JVM's defaults rather than
     * the short-command options of {@link ReconcilerProcess}: for a test that measures what
     * production does (latency under load, heap).
     */
    public ServeUnderTest asInstalled() {
        this.asInstalled = true;
        return this;
    }

    /** Parameters appended to the JDBC URL of serve and the CLI (e.g. {@code sessionVariables=...}). */
    public ServeUnderTest withUrlParameters(String parameters) {
        this.urlParameters = parameters;
        return this;
    }

    /** The JDBC URL serve and the CLI are given. */
    public String url() {
        return urlParameters.isEmpty()
                ? database.url()
                : database.url() + (database.url().contains("?") ? "&" : "?") + urlParameters;
    }

    /** Starts {@code serve} with these extra arguments; the process. */
    public ReconcilerProcess start(String... extra) {
        return startOnCron("*/2 * * * * *", extra);
    }

    /**
     * Starts {@code serve} on this cron (a test that launches runs itself gives one that does not
     * fire while it lasts), with these extra arguments.
     */
    public ReconcilerProcess startOnCron(String cron, String... extra) {
        List<String> args =
                new ArrayList<>(List.of("serve", "--reconciler.cron=" + cron, "--management.server.port=" + port));
        args.addAll(List.of(extra));
        args.addAll(springArgs());
        serve = asInstalled
                ? ReconcilerProcess.startAsInstalled(jvmOptions, args)
                : ReconcilerProcess.start(jvmOptions, args);
        return serve;
    }

    /** Waits for the condition; fails with serve's output if it is not met in time or serve exits. */
    public void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("condition not met within " + limit + "\n" + output());
            }
            if (serve != null && !serve.isAlive()) {
                throw new AssertionError("serve exited\n" + serve.output());
            }
            Thread.sleep(200);
        }
    }

    /** The database and SMTP settings as {@code --key=value} arguments. */
    public List<String> springArgs() {
        List<String> args = new ArrayList<>();
        database.springProperties()
                .forEach((key, value) ->
                        args.add("--" + key + "=" + ("spring.datasource.url".equals(key) ? url() : value)));
        args.add("--spring.mail.host=127.0.0.1");
        args.add("--spring.mail.port=" + smtp.getSmtp().getPort());
        return args;
    }

    /** A command of the command line in this JVM, on this shop. */
    public CliRunner.Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(springArgs());
        return CliRunner.run(all.toArray(String[]::new));
    }

    private String output() {
        return serve == null ? "(serve not started)" : serve.output();
    }

    @Override
    public void close() {
        if (serve != null) {
            serve.close();
        }
    }
}
