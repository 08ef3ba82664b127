package shop.reconciler.support;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.util.LinkedHashMap;
import java.util.Map;

/** A real SMTP server (GreenMail) on a free port, and the {@code spring.mail.*} keys pointing at it. */
public final class MailServer {

    private MailServer() {}

    public static GreenMail start() {
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        greenMail.start();
        return greenMail;
    }

    public static Map<String, Object> springProperties(GreenMail greenMail) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.mail.host", "127.0.0.1");
        properties.put("spring.mail.port", greenMail.getSmtp().getPort());
        return properties;
    }
}
