package shop.reconciler.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import shop.reconciler.OrderReconcilerApplication;

class CliTest {

    @Test
    void noArgumentsMeansServe() {
        // when
        Cli.Invocation invocation = Cli.parse();

        // then
        assertThat(invocation.word()).isEqualTo("serve");
        assertThat(invocation.options()).isEmpty();
        assertThat(invocation.springArgs()).isEmpty();
    }

    @Test
    void onlySpringSettingsMeansServe() {
        // when
        Cli.Invocation invocation = Cli.parse("--reconciler.chunk-size=5");

        // then
        assertThat(invocation.word()).isEqualTo("serve");
        assertThat(invocation.springArgs()).containsExactly("--reconciler.chunk-size=5");
        assertThat(invocation.options()).isEmpty();
    }

    @Test
    void runPassesSpringSettingsToSpring() {
        // when
        Cli.Invocation invocation = Cli.parse("run", "--reconciler.chunk-size=5");

        // then
        assertThat(invocation.word()).isEqualTo("run");
        assertThat(invocation.springArgs()).containsExactly("--reconciler.chunk-size=5");
        assertThat(invocation.options()).isEmpty();
    }

    @Test
    void commandWordIsCaseInsensitive() {
        // given
        List<String> words = List.of("run", "RUN", "Run");

        for (String word : words) {
            // when
            Cli.Invocation invocation = Cli.parse(word);

            // then
            assertThat(invocation.word()).describedAs("command of '%s'", word).isEqualTo("run");
        }
    }

    @Test
    void statusKeepsItsOwnOptionsInOrder() {
        // when
        Cli.Invocation invocation = Cli.parse("status", "--limit", "5", "--json");

        // then
        assertThat(invocation.word()).isEqualTo("status");
        assertThat(invocation.options()).containsExactly("--limit", "5", "--json");
        assertThat(invocation.springArgs()).isEmpty();
    }

    @Test
    void statusSeparatesOwnOptionsFromSpringSettings() {
        // when
        Cli.Invocation invocation = Cli.parse(
                "status", "--limit", "5", "--spring.datasource.url=jdbc:mysql://db.internal:3306/shop", "--json");

        // then
        assertThat(invocation.options()).containsExactly("--limit", "5", "--json");
        assertThat(invocation.springArgs())
                .containsExactly("--spring.datasource.url=jdbc:mysql://db.internal:3306/shop");
    }

    @Test
    void refusesUnknownCommand() {
        // when
        Cli.UsageException e = catchThrowableOfType(Cli.UsageException.class, () -> Cli.parse("bogus"));

        // then
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("'bogus'");
    }

    @Test
    void refusesOptionsForCommandsThatTakeNone() {
        // given
        List<String[]> lines = List.of(
                new String[] {"run", "extra"},
                new String[] {"check", "--verbose"},
                new String[] {"demo", "now"},
                new String[] {"run", "--chunk-size=5"});

        for (String[] line : lines) {
            // when
            Cli.UsageException e = catchThrowableOfType(Cli.UsageException.class, () -> Cli.parse(line));

            // then
            assertThat(e).describedAs("usage error for %s", List.of(line)).isNotNull();
            assertThat(e.getMessage())
                    .describedAs("message for %s", List.of(line))
                    .contains("'" + line[1] + "'");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "help", "-h"})
    void helpFlagsAndWordMeanHelp(String asked) {
        // when
        Cli.Invocation invocation = Cli.parse(asked);

        // then
        assertThat(invocation.word()).isEqualTo("help");
    }

    @Test
    void executeOfUnknownCommandExitsWithUsageAndOneLineOnStandardError() {
        // given
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        // when
        int exit = Cli.execute(OrderReconcilerApplication.class, print(out), print(err), "bogus");

        // then
        assertThat(exit).isEqualTo(2);
        String error = err.toString(StandardCharsets.UTF_8);
        assertThat(error.lines().toList()).hasSize(1);
        assertThat(error).endsWith(System.lineSeparator()).contains("'bogus'").startsWith("order-reconciler: ");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void executeOfHelpPrintsUsageAndExitsZero() {
        // given
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        // when
        int exit = Cli.execute(OrderReconcilerApplication.class, print(out), print(err), "--help");

        // then
        assertThat(exit).isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .startsWith("usage:")
                .contains("run", "status", "check", "demo");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void commandHelpListsThatCommandsOptionsAndExitsZero() {
        for (String[] line : List.of(new String[] {"requeue", "--help"}, new String[] {"help", "requeue"})) {
            // given
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            // when
            int exit = Cli.execute(OrderReconcilerApplication.class, print(out), print(err), line);

            // then
            assertThat(exit).describedAs("exit of %s", List.of(line)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .describedAs("help of %s", List.of(line))
                    .startsWith("usage: order-reconciler requeue")
                    .contains("--dry-run", "--failed", "--skipped", "--since", "--error-contains");
            assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        }
    }

    @Test
    void commandsWithArgumentsParseThemBeforeAnythingStarts() {
        // when
        Cli.Invocation requeue = Cli.parse("requeue", "--failed", "--since", "7d", "--error-contains", "550");
        Cli.Invocation explain = Cli.parse("EXPLAIN", "DH-1", "--spring.datasource.url=jdbc:mysql://db/shop");

        // then
        RequeueCommand filter = (RequeueCommand) requeue.command();
        assertThat(filter.failed).isTrue();
        assertThat(filter.since.ago()).hasDays(7);
        assertThat(filter.errorContains).isEqualTo("550");
        assertThat(((ExplainCommand) explain.command()).orderCode).isEqualTo("DH-1");
        assertThat(explain.springArgs()).containsExactly("--spring.datasource.url=jdbc:mysql://db/shop");
    }

    @Test
    void refusesWrongArgumentsWithOneLineNamingThem() {
        // given
        List<String[]> lines = List.of(
                new String[] {"explain"},
                new String[] {"requeue"},
                new String[] {"requeue", "DH-1", "--failed"},
                new String[] {"notifications", "--status", "bounced"},
                new String[] {"notifications", "--since", "yesterday"},
                new String[] {"plan", "--limit", "0"},
                new String[] {"restart", "7", "--last-failed"});

        for (String[] line : lines) {
            // when
            Cli.UsageException e = catchThrowableOfType(Cli.UsageException.class, () -> Cli.parse(line));

            // then
            assertThat(e).describedAs("usage error for %s", List.of(line)).isNotNull();
            assertThat(e.getMessage().lines())
                    .describedAs("message for %s", List.of(line))
                    .hasSize(1);
        }
    }

    @Test
    void completionPrintsABashScriptThatKnowsTheCommandsAndTheirOptions() {
        // given
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        // when
        int exit = Cli.execute(OrderReconcilerApplication.class, print(out), print(err), "completion");

        // then
        assertThat(exit).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("complete -F")
                .contains("reconcile-orders")
                .contains("explain", "requeue", "--error-contains", "--last-failed");
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
