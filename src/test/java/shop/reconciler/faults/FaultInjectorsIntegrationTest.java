package shop.reconciler.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.SmtpFaultProxy;
import shop.reconciler.support.TcpProxy;
import shop.reconciler.support.TestDatabase;

/** The fault injectors themselves do what they say, against the real servers, before any test relies on them. */
class FaultInjectorsIntegrationTest {

    private static final GreenMail SMTP = MailServer.start();

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void tcpProxyForwardsSeversAndRefusesRealDatabaseConnections() throws Exception {
        TestDatabase.DatabaseRef database = TestDatabase.server().createDatabase("tcpproxy");
        try (TcpProxy proxy = TcpProxy.start(
                TestDatabase.server().host(), TestDatabase.server().port())) {
            String url = proxy.jdbcUrl(database);
            assertThat(url).startsWith("jdbc:mysql://127.0.0.1:" + proxy.port() + "/" + database.name());

            // forwards
            Connection first = DriverManager.getConnection(url, database.username(), database.password());
            assertThat(selectOne(first)).isEqualTo(1);
            assertThat(proxy.liveConnections()).isEqualTo(1);

            // severs live connections, keeps accepting new ones
            assertThat(proxy.sever()).isEqualTo(1);
            assertThatThrownBy(() -> selectOne(first)).isInstanceOf(SQLException.class);
            try (Connection second = DriverManager.getConnection(url, database.username(), database.password())) {
                assertThat(selectOne(second)).isEqualTo(1);
            }

            // refuses while the server is "down"
            proxy.refuseNewConnections(true);
            assertThatThrownBy(() -> DriverManager.getConnection(url, database.username(), database.password()))
                    .isInstanceOf(SQLException.class);
            proxy.refuseNewConnections(false);
            try (Connection third = DriverManager.getConnection(url, database.username(), database.password())) {
                assertThat(selectOne(third)).isEqualTo(1);
            }
        }
    }

    @Test
    void smtpProxyRelaysTheDialogueVerbatim() throws Exception {
        try (SmtpFaultProxy proxy = SmtpFaultProxy.in(SMTP)) {
            List<String> direct = greetingAndEhlo(SMTP.getSmtp().getPort());
            List<String> proxied = greetingAndEhlo(proxy.port());

            assertThat(direct.size()).isGreaterThan(2); // a multi-line EHLO reply
            assertThat(proxied).isEqualTo(direct);
        }
    }

    @Test
    void smtpProxyInjectsEachFaultAndCountsWhatItSaw() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
        try (SmtpFaultProxy proxy = SmtpFaultProxy.in(SMTP)) {
            Session session = session(proxy.port());

            proxy.refuseMailFrom(1, "451 4.3.0 try again later");
            assertThatThrownBy(() -> send(session, "one@example.com", "<m1@test>"))
                    .isInstanceOf(MessagingException.class)
                    .hasMessageContaining("451 4.3.0 try again later");
            send(session, "one@example.com", "<m1@test>");

            proxy.rejectRecipient("nobody@example.com", "550 5.1.1 no such user");
            assertThatThrownBy(() -> send(session, "nobody@example.com", "<m2@test>"))
                    .isInstanceOf(MessagingException.class);
            assertThat(proxy.recipientCommands("nobody@example.com")).isEqualTo(1);

            proxy.failDataEnd(SmtpFaultProxy.DataEndFault.DROP_BEFORE_FORWARD);
            assertThatThrownBy(() -> send(session, "two@example.com", "<m3@test>"))
                    .isInstanceOf(MessagingException.class);
            proxy.failDataEnd(SmtpFaultProxy.DataEndFault.DROP_AFTER_FORWARD);
            assertThatThrownBy(() -> send(session, "three@example.com", "<m4@test>"))
                    .isInstanceOf(MessagingException.class);
            proxy.failDataEnd(SmtpFaultProxy.DataEndFault.STALL_BEFORE_FORWARD);
            assertThatThrownBy(() -> send(session, "four@example.com", "<m5@test>"))
                    .isInstanceOf(MessagingException.class)
                    .rootCause()
                    .hasMessageContaining("timed out");

            // the server got the accepted one and the one dropped after forwarding, nothing else
            assertThat(SMTP.getReceivedMessages())
                    .extracting(ShopUnderTest::messageId)
                    .containsExactlyInAnyOrder("<m1@test>", "<m4@test>");
            assertThat(proxy.messages())
                    .extracting(SmtpFaultProxy.MessageRecord::messageId, SmtpFaultProxy.MessageRecord::acceptedByServer)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("<m1@test>", true),
                            org.assertj.core.groups.Tuple.tuple("<m3@test>", false),
                            org.assertj.core.groups.Tuple.tuple("<m4@test>", true),
                            org.assertj.core.groups.Tuple.tuple("<m5@test>", false));
            assertThat(proxy.mailFromCommands()).isEqualTo(6);
        }
    }

    private static int selectOne(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The server's greeting and its reply to EHLO, line by line. */
    private static List<String> greetingAndEhlo(int port) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            List<String> lines = new ArrayList<>();
            lines.add(in.readLine());
            out.write("EHLO client.example.com\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line;
            do {
                line = in.readLine();
                lines.add(line);
            } while (line != null && line.length() > 3 && line.charAt(3) == '-');
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            lines.add(in.readLine());
            return lines;
        }
    }

    private static Session session(int port) {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", String.valueOf(port));
        properties.put("mail.smtp.timeout", "1000");
        return Session.getInstance(properties);
    }

    private static void send(Session session, String to, String messageId) throws MessagingException {
        MimeMessage message = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        message.setFrom(new InternetAddress("from@example.com"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject("injector test");
        message.setText("hello");
        Transport.send(message);
    }
}
