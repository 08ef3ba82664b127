package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.util.MailConnectException;

/**
 * What a failed send means for its notification.
 *
 * <ul>
 *   <li>permanent: the server answered 5xx to the recipient or the message; trying again gives
 *       the same answer, so the notification ends {@code failed} with the reply;
 *   <li>unreachable: no connection to the server at all; the rest of the run's sends are deferred;
 *   <li>throttled: 421, 454, or a 4xx whose enhanced status code is 4.7.x (a provider's "too many
 *       messages, slow down"): transient, and the whole send loop pauses (see {@link SendPace});
 *   <li>otherwise transient (4xx, time-outs, dropped connections): tried again, in this run and in
 *       later ones, until {@code reconciler.mail.max-attempts}; but a time-out or a dropped
 *       connection after the end of data went out is an uncertain delivery ({@link #delivery}).
 * </ul>
 */
record SendFailure(Kind kind, String reason, boolean replied, boolean throttled) {

    SendFailure(Kind kind, String reason, boolean replied) {
        this(kind, reason, replied, false);
    }

    enum Kind {
        PERMANENT,
        TRANSIENT,
        UNREACHABLE
    }

    static SendFailure of(MessagingException e) {
        String reason = describe(e);
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof MailConnectException
                    || t instanceof ConnectException
                    || t instanceof UnknownHostException) {
                return new SendFailure(Kind.UNREACHABLE, reason, false);
            }
            int code = -1;
            if (t instanceof SMTPAddressFailedException address) {
                code = address.getReturnCode();
            } else if (t instanceof SMTPSendFailedException send) {
                code = send.getReturnCode();
            }
            if (code >= 500 && code < 600) {
                return new SendFailure(Kind.PERMANENT, reason, true);
            }
            if (code >= 400 && code < 500) {
                return new SendFailure(Kind.TRANSIENT, reason, true, throttling(code, t.getMessage()));
            }
        }
        return new SendFailure(Kind.TRANSIENT, reason, false);
    }

    /** Whether a 4xx reply asks the client to slow down: 421, 454, or an enhanced code 4.7.x. */
    static boolean throttling(int code, String reply) {
        if (code == 421 || code == 454) {
            return true;
        }
        return reply != null && reply.matches("(?s).*\\b" + code + "[ -]4\\.7\\.\\d{1,3}\\b.*");
    }

    /**
     * The delivery this failure amounts to. A failure without a definite reply (a time-out, a
     * dropped connection) after the end of data went out is {@link Delivery.Outcome#UNCERTAIN}: the
     * server may have taken the message.
     *
     * @param endOfDataSent whether the message's end of data had been written to the server
     */
    Delivery delivery(boolean endOfDataSent) {
        Delivery.Outcome outcome = switch (kind) {
            case PERMANENT -> Delivery.Outcome.REFUSED;
            case UNREACHABLE -> Delivery.Outcome.UNREACHABLE;
            case TRANSIENT -> endOfDataSent && !replied ? Delivery.Outcome.UNCERTAIN : Delivery.Outcome.TRANSIENT;
        };
        return new Delivery(outcome, reason, throttled && outcome == Delivery.Outcome.TRANSIENT);
    }

    /** The next exception in a failed send's chain: Jakarta Mail's next exception, else the cause. */
    static Throwable next(Throwable t) {
        if (t instanceof SendFailedException send && send.getNextException() != null && send.getNextException() != t) {
            return send.getNextException();
        }
        if (t instanceof MessagingException m && m.getNextException() != null && m.getNextException() != t) {
            return m.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null && text.length() < 900; t = next(t)) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            String folded = EmailComposer.oneLine(message, 400);
            if (!text.toString().contains(folded)) {
                if (!text.isEmpty()) {
                    text.append(" / ");
                }
                text.append(folded);
            }
        }
        return text.length() > 1000 ? text.substring(0, 1000) : text.toString();
    }
}
