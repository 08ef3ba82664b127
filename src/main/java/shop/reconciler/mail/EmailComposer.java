package shop.reconciler.mail;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import shop.reconciler.addressing.EmailAddresses;
import shop.reconciler.addressing.MessageIds;
import shop.reconciler.config.InvalidConfigurationException;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.outbox.Notification;
import shop.reconciler.reconcile.OrderRules;

/**
 * Builds an order's notification: text/plain UTF-8 from the Mustache template of
 * {@code reconciler.mail.template}, the subject of {@code reconciler.mail.subject}, and the stable
 * Message-ID stored with the notification.
 *
 * <p>Shop text is untrusted: line breaks and control characters in titles, links and errors are
 * folded into spaces (no forged lines, no header injection), long values are cut, and at most
 * {@code reconciler.mail.max-listed-courses} courses are listed one by one, the rest summarised.
 *
 * <p>Each course shows its link when it was delivered and its error when it failed
 * ({@link OrderRules#isDeliveredTask}, {@link OrderRules#isFailedTask}). A course whose task ended in
 * another terminal status (one an operator added to {@code reconciler.terminal-task-statuses}, say
 * {@code cancelled}) shows that status as it is, and counts neither as ready nor as not delivered.
 */
class EmailComposer {

    static {
        MailStreamProvider.preferAngus();
    }

    static final int MAX_NAME = 300;
    static final int MAX_LINK = 1000;
    static final int MAX_ERROR = 500;

    private final ReconcilerProperties.Mail mail;
    private final Template template;
    private final InternetAddress from;
    private final OrderRules rules;

    /** The last Date header and its second; a stale one read by another thread is formatted again. */
    private volatile DateText date;

    EmailComposer(ReconcilerProperties properties, ResourceLoader resources, OrderRules rules) {
        this.mail = properties.mail();
        this.rules = rules;
        this.template = load(resources, mail.template());
        try {
            this.from = new InternetAddress(mail.from(), true);
        } catch (MessagingException e) {
            throw new InvalidConfigurationException("reconciler.mail.from", e.getMessage());
        }
    }

    private static Template load(ResourceLoader resources, String location) {
        Resource resource = resources.getResource(location);
        if (!resource.exists()) {
            throw new InvalidConfigurationException("reconciler.mail.template", "no template at " + location);
        }
        try (Reader reader = new InputStreamReader(resource.getInputStream(), StandardCharsets.UTF_8)) {
            return Mustache.compiler().escapeHTML(false).defaultValue("").compile(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read reconciler.mail.template " + location, e);
        } catch (RuntimeException e) {
            throw new InvalidConfigurationException(
                    "reconciler.mail.template", "cannot compile " + location + ": " + e.getMessage());
        }
    }

    MimeMessage compose(Session session, Notification notification, List<CourseResult> courses)
            throws MessagingException {
        return compose(session, notification, OrderCourses.of(courses, rules));
    }

    MimeMessage compose(Session session, Notification notification, OrderCourses courses) throws MessagingException {
        MimeMessage message = new StableIdMimeMessage(
                session,
                MessageIds.checked(notification.messageId(), notification.orderCode(), mail.messageIdDomain()));
        message.setFrom(from);
        // Checked again here: an operator may have queued the row again with a raw shop address.
        EmailAddresses.Checked to = EmailAddresses.check(notification.recipient());
        if (!to.ok()) {
            throw new MessagingException(to.problem());
        }
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to.address(), true));
        message.setSubject(subject(notification.orderCode()), "UTF-8");
        message.setHeader("Date", dateHeader(System.currentTimeMillis()));
        String body = body(notification.orderCode(), courses);
        message.setText(body, "UTF-8");
        // after setText, which drops it: saveChanges would otherwise find it by encoding the body once more
        message.setHeader("Content-Transfer-Encoding", transferEncoding(body));
        message.saveChanges();
        return message;
    }

    /**
     * The Date header of a message composed at {@code millis}, as {@link MimeMessage#setSentDate}
     * writes it (Angus Mail's {@link MailDateFormat}, whole seconds), formatted once a second: the
     * formatter builds its date symbols on every call, and {@code setSentDate} makes every
     * connection's thread queue on one shared formatter.
     */
    String dateHeader(long millis) {
        long second = Math.floorDiv(millis, 1000L);
        DateText date = this.date;
        if (date == null || date.second() != second) {
            MailDateFormat format = new MailDateFormat();
            date = new DateText(second, format.format(new Date(second * 1000L)));
            this.date = date;
        }
        return date.text();
    }

    private record DateText(long second, String text) {}

    /**
     * The Content-Transfer-Encoding Angus Mail chooses for a text part ({@code MimeUtility.getEncoding}
     * with its defaults), found from the body's UTF-8 bytes instead of by writing the body through
     * its data handler: {@code 7bit} when every byte is US-ASCII text (no control character but
     * CR, LF, tab) and no line is longer than 998 bytes; {@code quoted-printable} when such bytes
     * are the majority (or only a line is too long); {@code base64} otherwise.
     */
    static String transferEncoding(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        int ascii = 0;
        int nonAscii = 0;
        int lineLength = 0;
        boolean longLine = false;
        for (byte value : bytes) {
            int b = value & 0xff;
            if (b == '\r' || b == '\n') {
                lineLength = 0;
            } else if (++lineLength > 998) {
                longLine = true;
            }
            if (b >= 0x7f || (b < 0x20 && b != '\r' && b != '\n' && b != '\t')) {
                nonAscii++;
            } else {
                ascii++;
            }
        }
        if (nonAscii == 0) {
            return longLine ? "quoted-printable" : "7bit";
        }
        return ascii > nonAscii ? "quoted-printable" : "base64";
    }

    String subject(String orderCode) {
        return oneLine(mail.subject().replace("{orderCode}", orderCode == null ? "" : orderCode), 200);
    }

    String body(String orderCode, List<CourseResult> courses) {
        return body(orderCode, OrderCourses.of(courses, rules));
    }

    /**
     * The body: the first {@code reconciler.mail.max-listed-courses} of the listed courses one by
     * one, the rest of the order's courses (listed or only counted) summarised.
     */
    String body(String orderCode, OrderCourses courses) {
        Map<String, Object> model = new LinkedHashMap<>();
        int listedCompleted = 0;
        int listedFailed = 0;
        List<Map<String, Object>> listed = new ArrayList<>();
        for (CourseResult course : courses.listed()) {
            if (listed.size() >= mail.maxListedCourses()) {
                break;
            }
            boolean isCompleted = rules.isDeliveredTask(course.status());
            boolean isFailed = rules.isFailedTask(course.status());
            listedCompleted += isCompleted ? 1 : 0;
            listedFailed += isFailed ? 1 : 0;
            Map<String, Object> line = new LinkedHashMap<>();
            String title = oneLine(course.title(), MAX_NAME);
            line.put("name", title.isEmpty() ? oneLine(course.url(), MAX_NAME) : title);
            line.put("url", oneLine(course.url(), MAX_LINK));
            line.put("completed", isCompleted);
            line.put("failed", isFailed);
            line.put("other", !isCompleted && !isFailed);
            line.put("status", oneLine(course.status(), 32));
            String link = oneLine(course.driveLink(), MAX_LINK);
            line.put("link", link.isEmpty() ? "(no link recorded; reply to this email)" : link);
            String error = oneLine(course.errorMessage(), MAX_ERROR);
            line.put("error", error.isEmpty() ? "no reason recorded" : error);
            listed.add(line);
        }
        int more = courses.total() - listed.size();
        model.put("orderCode", oneLine(orderCode, 64));
        model.put("courses", listed);
        model.put("totalCount", courses.total());
        model.put("completedCount", courses.completed());
        model.put("failedCount", courses.failed());
        model.put("hasFailed", courses.failed() > 0);
        model.put("more", more > 0);
        model.put("moreCount", more);
        model.put("moreCompleted", courses.completed() - listedCompleted);
        model.put("moreFailed", courses.failed() - listedFailed);
        return template.execute(model);
    }

    /**
     * Folds every run of whitespace or control characters into one space, then cuts the result to
     * at most {@code max} chars, the last of them an ellipsis when something was cut.
     */
    static String oneLine(String text, int max) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max + 2));
        boolean space = false;
        int i = 0;
        while (i < text.length() && out.length() <= max) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029) {
                space = out.length() > 0;
                continue;
            }
            if (space) {
                out.append(' ');
                space = false;
            }
            out.appendCodePoint(cp);
        }
        if (out.length() <= max) {
            return out.toString();
        }
        int keep = Math.max(0, max - 1);
        if (keep > 0 && Character.isHighSurrogate(out.charAt(keep - 1))) {
            keep--;
        }
        return out.substring(0, keep).stripTrailing() + "…";
    }

    /** A MimeMessage whose Message-ID is the given stable one instead of a random one. */
    private static final class StableIdMimeMessage extends MimeMessage {
        private final String messageId;

        StableIdMimeMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
