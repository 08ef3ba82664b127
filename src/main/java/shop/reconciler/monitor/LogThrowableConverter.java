package shop.reconciler.monitor;

import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import shop.reconciler.text.Printable;
import shop.reconciler.text.Redaction;

/**
 * {@code %safeException} in the log pattern: the stack trace of a logged exception, with every
 * secret removed ({@link Redaction}: a driver's message may quote the URL) and the control
 * characters of each exception's message escaped ({@link shop.reconciler.text.Printable}: a message may quote
 * shop data), so that the trace keeps its own line structure and no more.
 */
public final class LogThrowableConverter extends ExtendedThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return Redaction.redact(super.throwableProxyToString(new Escaped(proxy)));
    }

    /** The same exception, its message (and its causes' and suppressed ones') escaped. */
    private record Escaped(IThrowableProxy proxy) implements IThrowableProxy {

        @Override
        public String getOverridingMessage() {
            return Printable.of(proxy.getOverridingMessage());
        }

        @Override
        public String getMessage() {
            return Printable.of(Redaction.redact(proxy.getMessage()));
        }

        @Override
        public String getClassName() {
            return proxy.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return proxy.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return proxy.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return proxy.getCause() == null ? null : new Escaped(proxy.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = proxy.getSuppressed();
            if (suppressed == null) {
                return null;
            }
            IThrowableProxy[] escaped = new IThrowableProxy[suppressed.length];
            for (int i = 0; i < suppressed.length; i++) {
                escaped[i] = new Escaped(suppressed[i]);
            }
            return escaped;
        }

        @Override
        public boolean isCyclic() {
            return proxy.isCyclic();
        }
    }
}
