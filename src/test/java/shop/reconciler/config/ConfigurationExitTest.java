package shop.reconciler.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import shop.reconciler.cli.CliRunner;

/**
 * A bad value of any key of the application's configuration records stops a command at start-up,
 * before anything touches the database, with exit 2 and one line that names the key, the rule and
 * the value (never a password's).
 */
class ConfigurationExitTest {

    /** An H2 database that is never opened: the check comes first. */
    private static final String URL = "--spring.datasource.url=jdbc:h2:mem:never-opened";

    @Test
    void aBadValueOfEachKeyExitsTwoWithItsLine() {
        Map<String, String> lines = Map.ofEntries(
                Map.entry(
                        "reconciler.db.connect-timeout=0s",
                        "reconciler.db.connect-timeout: must be a positive duration of at most 24 days (e.g. 10s, 5m),"
                                + " was '0s'"),
                Map.entry(
                        "reconciler.db.migration-timeout=30d",
                        "reconciler.db.migration-timeout: must be a positive duration of at most 24 days (e.g. 10s,"
                                + " 5m), was '30d'"),
                Map.entry(
                        "reconciler.db.statement-timeout=5m",
                        "reconciler.db.statement-timeout: must be at most a quarter of reconciler.lock.at-most-for"
                                + " (150s), so that a run that meets a hung database ends before its lease lapses,"
                                + " was '5m'"),
                Map.entry(
                        "reconciler.db.socket-timeout=-1s",
                        "reconciler.db.socket-timeout: must be a positive duration of at most 24 days (e.g. 10s, 5m),"
                                + " was '-1s'"),
                Map.entry(
                        "reconciler.table-prefix=rec-",
                        "reconciler.table-prefix: must be at most 32 letters, digits or '_' (e.g. rec_), was 'rec-'"),
                Map.entry(
                        "reconciler.management.max-failed-sign-ins=0",
                        "reconciler.management.max-failed-sign-ins: must be greater than or equal to 1, was '0'"),
                Map.entry(
                        "reconciler.management.sign-in-lockout=-1m",
                        "reconciler.management.sign-in-lockout: must be a positive duration (e.g. 1m, 30s), was '-1m'"),
                Map.entry(
                        "reconciler.management.viewer.password={rot13}frperg",
                        "reconciler.management.viewer.password: starts with {rot13}, which is no password encoding"
                                + " Spring Security knows (for example {bcrypt}); a raw password must not start with"
                                + " {...}"),
                Map.entry(
                        "reconciler.management.operator.username= ",
                        "reconciler.management.operator.username: must not be blank (not set: the account's default"
                                + " name), was ' '"),
                Map.entry(
                        "reconciler.console.enabled=maybe",
                        "reconciler.console.enabled: cannot be read as boolean, was 'maybe'"));

        lines.forEach((setting, line) -> {
            // when
            CliRunner.Result result = CliRunner.run("run", URL, "--" + setting);

            // then
            assertThat(result.exit()).describedAs(result.describe()).isEqualTo(2);
            assertThat(result.err().lines().filter(l -> l.startsWith("order-reconciler:")))
                    .describedAs(setting)
                    .containsExactly("order-reconciler: configuration error: " + line);
        });
    }

    @Test
    void brokenRulesOfSeveralRecordsShareTheLine() {
        // when
        CliRunner.Result result = CliRunner.run(
                "status",
                URL,
                "--reconciler.chunk-size=0",
                "--reconciler.db.connect-timeout=0s",
                "--reconciler.management.max-failed-sign-ins=0");

        // then
        assertThat(result.exit()).describedAs(result.describe()).isEqualTo(2);
        assertThat(result.err().lines().filter(l -> l.startsWith("order-reconciler:")))
                .singleElement()
                .asString()
                .contains(List.of(
                        "reconciler.chunk-size: ",
                        "reconciler.db.connect-timeout: ",
                        "reconciler.management.max-failed-sign-ins: "));
    }
}
