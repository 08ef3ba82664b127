package shop.reconciler.mail;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.lang.management.ManagementFactory;
import java.nio.file.*;
import java.util.*;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import shop.reconciler.config.ReconcilerPropertiesBuilder;

public class Probe {
    static final String BODY = "Hello,\n\nyour order %s is complete. Your courses:\n\n- Course %d, part one: https://drive.example.com/file/d/%d-1/view\n- Course %d, part two: https://drive.example.com/file/d/%d-2/view\n- Course %d, part three: https://drive.example.com/file/d/%d-3/view\n\nThank you for learning with us.\n";

    static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static long ctx() throws Exception {
        long n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : ds) {
                try {
                    for (String l : Files.readAllLines(t.resolve("status"))) {
                        if (l.startsWith("voluntary_ctxt_switches") || l.startsWith("nonvoluntary_ctxt_switches")) {
                            n += Long.parseLong(l.replaceAll("\\D", ""));
                        }
                    }
                } catch (Exception ignored) {}
            }
        }
        return n;
    }

    static MimeMessage msg(Session s, int i) throws Exception {
        MimeMessage m = new MimeMessage(s);
        m.setFrom(new InternetAddress("orders@example.com"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("buyer" + i + "@example.com"));
        m.setSubject("Your order C" + i + " is complete", "UTF-8");
        m.setText(BODY.formatted("C" + i, i, i, i, i, i, i), "UTF-8");
        m.saveChanges();
        return m;
    }

    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        List<String> variants = List.of(a[1].split(","));
        int rounds = Integer.parseInt(a[2]);
        GreenMail gm = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp"));
        gm.start();
        int port = gm.getSmtp().getPort();
        for (int r = 0; r <= rounds; r++) {
            for (String v : variants) {
                gm.purgeEmailFromAllMailboxes();
                int count = r == 0 ? n / 2 : n;
                long c0 = cpu(), x0 = ctx(), t0 = System.nanoTime();
                if (v.equals("bare")) {
                    Properties p = new Properties();
                    p.put("mail.smtp.host", "127.0.0.1");
                    p.put("mail.smtp.port", Integer.toString(port));
                    Session session = Session.getInstance(p);
                    try (Transport t = session.getTransport("smtp")) {
                        t.connect();
                        for (int i = 1; i <= count; i++) {
                            MimeMessage m = msg(session, i);
                            t.sendMessage(m, m.getAllRecipients());
                        }
                    }
                } else {
                    JavaMailSenderImpl sender = new JavaMailSenderImpl();
                    sender.setHost("127.0.0.1");
                    sender.setPort(port);
                    sender.getJavaMailProperties().put("mail.smtp.connectiontimeout", "10000");
                    sender.getJavaMailProperties().put("mail.smtp.timeout", "30000");
                    if (!v.contains("nowt")) sender.getJavaMailProperties().put("mail.smtp.writetimeout", "30000");
                    sender.getJavaMailProperties().put("mail.smtp.starttls.enable", "false");
                    SmtpTransport transport = new SmtpTransport(sender, ReconcilerPropertiesBuilder.properties().set("mail.message-id-domain", "x.local").mail());
                    Session session = transport.session();
                    MailTransport.Connection c = transport.open();
                    for (int i = 1; i <= count; i++) {
                        MimeMessage m = msg(session, i);
                        Delivery d = c.deliver(m, () -> true);
                        if (d.outcome() != Delivery.Outcome.SENT) throw new IllegalStateException(d.toString());
                    }
                    c.close();
                }
                long t1 = System.nanoTime(), c1 = cpu(), x1 = ctx();
                if (r > 0) System.out.printf(Locale.ROOT, "round %d %-12s %5d msgs  wall %.3f ms/msg  cpu %.3f ms/msg  ctxsw %.1f /msg%n",
                        r, v, count, (t1 - t0) / 1e6 / count, (c1 - c0) / 1e6 / count, (double) (x1 - x0) / count);
            }
        }
        gm.stop();
        System.exit(0);
    }
}
