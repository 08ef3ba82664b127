package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Writes each email as {@code <Message-ID>.eml} into a directory instead of sending it. */
public class EmlDirectoryTransport implements MailTransport {

    private final Path directory;
    private final Session session = Session.getInstance(new Properties());

    public EmlDirectoryTransport(Path directory) {
        this.directory = directory;
    }

    @Override
    public Session session() {
        return session;
    }

    @Override
    public Connection open() throws MessagingException {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new MessagingException("cannot create " + directory + ": " + e.getMessage(), e);
        }
        return new Connection() {
            @Override
            public Delivery deliver(MimeMessage message) {
                String name;
                try {
                    name = message.getMessageID().replaceAll("[^A-Za-z0-9._@-]", "") + ".eml";
                } catch (MessagingException e) {
                    return new Delivery(Delivery.Outcome.REFUSED, "no Message-ID: " + e.getMessage());
                }
                try (OutputStream out = Files.newOutputStream(directory.resolve(name))) {
                    message.writeTo(out);
                    return Delivery.SENT;
                } catch (IOException | MessagingException e) {
                    return new Delivery(Delivery.Outcome.TRANSIENT, "cannot write " + name + ": " + e.getMessage());
                }
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public String describe() {
        return directory.toAbsolutePath().toString();
    }

    @Override
    public String handOver() {
        return "write";
    }
}
