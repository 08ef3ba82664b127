package shop.reconciler.monitor;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import shop.reconciler.text.Printable;
import shop.reconciler.text.Redaction;

/**
 * {@code %safeMessage} in the log pattern: the event's message with every secret removed
 * ({@link Redaction}) and every control character escaped ({@link shop.reconciler.text.Printable}), so that a
 * log event is one line whatever shop data it quotes.
 */
public final class LogMessageConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return Printable.of(Redaction.redact(event.getFormattedMessage()));
    }
}
