package shop.reconciler.monitor;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %safeMessage} in the log pattern: the event's message with every secret removed
 * ({@link Redaction}).
 */
public final class LogMessageConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return Redaction.redact(event.getFormattedMessage());
    }
}
