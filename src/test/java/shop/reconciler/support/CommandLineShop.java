package shop.reconciler.support;

import com.icegreen.greenmail.util.GreenMail;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import shop.reconciler.cli.CliRunner;

/**
 * A fresh shop (its own database on the real server) and the command line in this JVM against it
 * and a GreenMail server, as the tests of the commands start from: each command gets the database,
 * the mail server on loopback and a short retry back-off, unless its own arguments set that key.
 */
public final class CommandLineShop {

    public final TestDatabase.DatabaseRef database;
    public final ShopFixture shop;
    private final Map<String, String> settings = new LinkedHashMap<>();

    /**
     * A new database named after {@code databasePrefix} with the shop's tables, and {@code extra}
     * settings ({@code key=value}) for every command.
     */
    public CommandLineShop(String databasePrefix, GreenMail smtp, String... extra) {
        this.database = TestDatabase.server().createDatabase(databasePrefix);
        this.shop = new ShopFixture(database.dataSource()).createSchema();
        database.springProperties().forEach((key, value) -> settings.put(key, String.valueOf(value)));
        settings.put("spring.mail.port", String.valueOf(smtp.getSmtp().getPort()));
        settings.put("spring.mail.host", "127.0.0.1");
        settings.put("reconciler.mail.retry-backoff", "10ms");
        for (String setting : extra) {
            int eq = setting.indexOf('=');
            settings.put(setting.substring(0, eq), setting.substring(eq + 1));
        }
    }

    /** With the reconciler's own schema, made as an operator's first command makes it: {@code status}. */
    public CommandLineShop withReconcilerSchema() {
        CliRunner.Result status = cli("status");
        if (status.exit() != 0) {
            throw new AssertionError("status did not make the reconciler's schema: " + status.describe());
        }
        return this;
    }

    /** Every setting as {@code --key=value} arguments (for a process of its own). */
    public List<String> springArgs() {
        List<String> args = new ArrayList<>();
        settings.forEach((key, value) -> args.add("--" + key + "=" + value));
        return args;
    }

    /** A command of the command line in this JVM, on this shop; its own {@code --key=value} arguments win. */
    public CliRunner.Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        settings.forEach((key, value) -> {
            if (all.stream().noneMatch(a -> a.startsWith("--" + key + "="))) {
                all.add("--" + key + "=" + value);
            }
        });
        return CliRunner.run(all.toArray(String[]::new));
    }
}
