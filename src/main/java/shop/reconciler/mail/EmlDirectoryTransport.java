package shop.reconciler.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Writes each email as {@code <order code>.eml} into a directory instead of sending it. */
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
            public void send(MimeMessage message, HandOverGate gate) throws MessagingException {
                String name = message.getMessageID().replaceAll("[^A-Za-z0-9._@-]", "") + ".eml";
                gate.awaitBeforeSending(name);
                try (OutputStream out = Files.newOutputStream(directory.resolve(name))) {
                    message.writeTo(out);
                } catch (IOException e) {
                    throw new MessagingException("cannot write " + name + ": " + e.getMessage(), e);
                }
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
