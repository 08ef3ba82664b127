package shop.reconciler.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The application's own log configuration (logback-spring.xml): what its standard-error appender writes. */
class LogOutputTest {

    private final LoggerContext context = new LoggerContext();
    private final StringBuilder written = new StringBuilder();
    private Encoder<ILoggingEvent> encoder;
    private Logger log;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void configureAsTheApplicationDoes() throws Exception {
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(getClass().getResource("/logback-spring.xml"));
        encoder = ((ConsoleAppender<ILoggingEvent>)
                        context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR"))
                .getEncoder();
        log = context.getLogger("shop.reconciler.test");
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    /** Writes the event as the application's standard-error appender would. */
    private void write(Level level, String message, Throwable thrown, Object... args) {
        LoggingEvent event = new LoggingEvent(Logger.FQCN, log, level, message, thrown, args);
        written.append(new String(encoder.encode(event), StandardCharsets.UTF_8));
    }

    private List<String> lines() {
        return written.toString().lines().toList();
    }

    @Test
    void shopTextWithEscapeAndLineBreaksIsOneEscapedLine() {
        // when
        write(
                Level.WARN,
                "order {} left open",
                null,
                "DH1\u001b[2J\r\nFAKE 2026-01-01 ERROR forged\u0085\u2028\u009b31m");

        // then
        assertThat(lines()).hasSize(1);
        assertThat(lines().get(0))
                .endsWith("order DH1\\e[2J\\r\\nFAKE 2026-01-01 ERROR forged\\x85<U+2028>\\x9B31m left open")
                .doesNotContain("\u001b")
                .doesNotContain("\r");
    }

    @Test
    void anExceptionKeepsItsTraceButItsMessageCannotForgeALine() {
        // when
        write(
                Level.ERROR,
                "chunk failed",
                new IllegalStateException(
                        "bad \u001b[2J\r\nFAKE line",
                        new RuntimeException("cause at jdbc:mysql://db/s?password=hunter2")));

        // then: the event's line, the exception's escaped message, frames that start with a tab
        List<String> lines = lines();
        assertThat(lines.get(0)).endsWith("chunk failed");
        assertThat(lines.get(1)).isEqualTo("java.lang.IllegalStateException: bad \\e[2J\\r\\nFAKE line");
        assertThat(lines.subList(2, lines.size()))
                .allMatch(line -> line.startsWith("\t") || line.startsWith("Caused by: "));
        assertThat(String.join("\n", lines)).contains("password=***").doesNotContain("hunter2");
    }

    @Test
    void aSecretInALogMessageIsRemoved() {
        // when
        write(Level.INFO, "connecting to {}", null, "jdbc:mysql://recon:Pw-secret@db/shop?password=Pw-secret");

        // then
        assertThat(lines())
                .singleElement()
                .satisfies(
                        line -> assertThat(line).endsWith("connecting to jdbc:mysql://recon:***@db/shop?password=***"));
    }
}
