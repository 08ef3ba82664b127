package shop.reconciler.monitor;

import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * {@code %safeException} in the log pattern: the stack trace of a logged exception, with every
 * secret removed from its messages ({@link Redaction}); a driver's message may carry the URL.
 */
public final class LogThrowableConverter extends ExtendedThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return Redaction.redact(super.throwableProxyToString(proxy));
    }
}
