package shop.reconciler.support;

import com.icegreen.greenmail.util.GreenMail;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A line-oriented SMTP proxy in front of a real SMTP server (GreenMail) that injects faults at
 * precise points of the SMTP dialogue and relays everything else verbatim, byte for byte: the
 * greeting, EHLO's multi-line reply, MAIL, RCPT, DATA, the message, RSET, NOOP, QUIT. The real
 * server still decides what it accepts; the proxy only decides what the client gets to see.
 *
 * <p>It speaks the dialogue in lock-step (one command, one reply), which is how Jakarta/Angus Mail
 * talks to a server that does not advertise PIPELINING (GreenMail does not).
 *
 * <p>Faults:
 * <ul>
 *   <li>{@link #refuseMailFrom(int, String)}: the next K {@code MAIL FROM} commands are answered
 *       with the given reply (e.g. {@code 451 4.3.0 try again later}) and not forwarded.
 *   <li>{@link #rejectRecipient(String, String)}: every {@code RCPT TO} for that address is
 *       answered with the given reply (e.g. {@code 550 5.1.1 no such user}) and not forwarded.
 *   <li>{@link #failDataEnd(DataEndFault...)}: what happens to the next messages once the client
 *       has sent its end-of-DATA {@code .}: stall (no reply, until the client gives up and
 *       closes) or drop the connection, either before the message is forwarded (the server never
 *       accepted it) or after (the server accepted it, the client never saw its 250).
 *   <li>{@link #delayEachMessage(Duration)}: every message is held this long after its {@code .}
 *       before it is forwarded (a slow server), so that a test can catch a sender mid-message.
 *   <li>{@link #trickleReplies(Duration, boolean)}: the server's replies reach the client one byte
 *       at a time, a pause between two bytes (a server that keeps a connection busy forever
 *       without ever letting a read time out).
 * </ul>
 *
 * <p>It records what it saw ({@link #messages()}, {@link #transcript()}) so that tests can say
 * what the client tried, beside what the server received.
 */
public final class SmtpFaultProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SmtpFaultProxy.class);

    /** What happens to a message after the client's end-of-DATA {@code .}. */
    public enum DataEndFault {
        /** The server never sees the message; the client gets no reply until it times out. */
        STALL_BEFORE_FORWARD(false),
        /** The server accepts the message; the client gets no reply until it times out. */
        STALL_AFTER_FORWARD(true),
        /** The server never sees the message; the connection is closed at once. */
        DROP_BEFORE_FORWARD(false),
        /** The server accepts the message; the connection is closed before the client sees the 250. */
        DROP_AFTER_FORWARD(true);

        private final boolean forwards;

        DataEndFault(boolean forwards) {
            this.forwards = forwards;
        }

        /** Whether the server receives (and, if it likes it, accepts) the message. */
        public boolean forwards() {
            return forwards;
        }
    }

    /**
     * One message the client got as far as end-of-DATA with.
     *
     * @param seq 1, 2, ... in the order their {@code .} arrived
     * @param messageId the Message-ID header of the message, or null
     * @param fault the fault injected at its end, or null
     * @param serverReply the server's reply to the message, or null if it was not forwarded
     * @param clientSawReply whether the client was sent that reply
     */
    public record MessageRecord(
            int seq,
            List<String> recipients,
            String messageId,
            DataEndFault fault,
            String serverReply,
            boolean clientSawReply) {

        /** The server answered 2xx to the message: it was delivered. */
        public boolean acceptedByServer() {
            return serverReply != null && serverReply.startsWith("2");
        }
    }

    private static final int MAX_STALL_MILLIS = 120_000;

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket serverSocket;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger dataEnds = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<String> inFlightMessageIds = ConcurrentHashMap.newKeySet();
    private final AtomicInteger mailFromCommands = new AtomicInteger();
    private final AtomicInteger startTlsCommands = new AtomicInteger();
    private final List<Long> mailFromNanos = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger mailFromRefusalsLeft = new AtomicInteger();
    private final Map<String, AtomicInteger> recipientCommands = new ConcurrentHashMap<>();
    private final Map<String, String> rejectedRecipients = new ConcurrentHashMap<>();
    private final Deque<DataEndFault> dataEndFaults = new ConcurrentLinkedDeque<>();
    private final List<MessageRecord> messages = Collections.synchronizedList(new ArrayList<>());
    private final List<String> transcript = Collections.synchronizedList(new ArrayList<>());
    private volatile String mailFromRefusal = "451 4.3.0 try again later";
    private volatile Duration messageDelay = Duration.ZERO;
    private volatile Duration trickle = Duration.ZERO;
    private volatile boolean trickleFromMailFrom;
    private volatile boolean closed;
    private volatile boolean brokenStartTls;

    private SmtpFaultProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "smtp-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free loopback port in front of GreenMail's SMTP server. */
    public static SmtpFaultProxy in(GreenMail greenMail) {
        return start(greenMail.getSmtp().getBindTo(), greenMail.getSmtp().getPort());
    }

    public static SmtpFaultProxy start(String host, int port) {
        try {
            return new SmtpFaultProxy(host, port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a proxy port", e);
        }
    }

    /** The port SMTP clients connect to (on 127.0.0.1). */
    public int port() {
        return serverSocket.getLocalPort();
    }

    // ---------------------------------------------------------------------------------------
    // Faults
    // ---------------------------------------------------------------------------------------

    /** The next {@code count} MAIL FROM commands get {@code reply} (a 4xx or 5xx line) instead of the server's. */
    public SmtpFaultProxy refuseMailFrom(int count, String reply) {
        mailFromRefusal = reply;
        mailFromRefusalsLeft.set(count);
        return this;
    }

    /** Every RCPT TO for {@code address} (case-insensitive) gets {@code reply} instead of the server's. */
    public SmtpFaultProxy rejectRecipient(String address, String reply) {
        rejectedRecipients.put(address.toLowerCase(Locale.ROOT), reply);
        return this;
    }

    /** The next messages, one fault each in this order, meet these faults after their end-of-DATA. */
    public SmtpFaultProxy failDataEnd(DataEndFault... faults) {
        dataEndFaults.addAll(Arrays.asList(faults));
        return this;
    }

    /** Holds every message this long after its end-of-DATA before forwarding it. */
    public SmtpFaultProxy delayEachMessage(Duration delay) {
        messageDelay = delay;
        return this;
    }

    /**
     * Relays every reply one byte at a time, {@code perByte} apart: from the greeting on, or
     * (with {@code fromMailFrom}) from the reply to the first {@code MAIL FROM} of a connection on.
     */
    public SmtpFaultProxy trickleReplies(Duration perByte, boolean fromMailFrom) {
        trickleFromMailFrom = fromMailFrom;
        trickle = perByte;
        return this;
    }

    /**
     * The server offers STARTTLS (added to its EHLO reply), answers 220 to it, and then sends
     * bytes that are no TLS and closes the connection: a handshake that fails by itself.
     */
    public SmtpFaultProxy breakStartTls() {
        brokenStartTls = true;
        return this;
    }

    /** How many STARTTLS commands the proxy saw. */
    public int startTlsCommands() {
        return startTlsCommands.get();
    }

    /** From now on, everything is relayed as it is. */
    public void clearFaults() {
        mailFromRefusalsLeft.set(0);
        brokenStartTls = false;
        rejectedRecipients.clear();
        dataEndFaults.clear();
        messageDelay = Duration.ZERO;
        trickle = Duration.ZERO;
    }

    // ---------------------------------------------------------------------------------------
    // What the proxy saw
    // ---------------------------------------------------------------------------------------

    public int connections() {
        return connections.get();
    }

    /** MAIL FROM commands sent by clients, refused ones included. */
    public int mailFromCommands() {
        return mailFromCommands.get();
    }

    /** When each MAIL FROM reached the proxy ({@link System#nanoTime}), in order. */
    public List<Long> mailFromNanos() {
        synchronized (mailFromNanos) {
            return List.copyOf(mailFromNanos);
        }
    }

    /** RCPT TO commands for this address, rejected ones included. */
    public int recipientCommands(String address) {
        AtomicInteger count = recipientCommands.get(address.toLowerCase(Locale.ROOT));
        return count == null ? 0 : count.get();
    }

    /** Messages whose end-of-DATA arrived so far. */
    public int dataEnds() {
        return dataEnds.get();
    }

    /** Messages whose end-of-DATA arrived and whose fate (reply, stall, drop) is not settled yet. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Message-IDs of the messages {@link #inFlight()} right now. */
    public Set<String> inFlightMessageIds() {
        return Set.copyOf(inFlightMessageIds);
    }

    /** Faults queued by {@link #failDataEnd} and not used yet. */
    public int pendingDataEndFaults() {
        return dataEndFaults.size();
    }

    public List<MessageRecord> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** Every command and reply, one line each, prefixed with the connection number. */
    public String transcript() {
        synchronized (transcript) {
            return String.join("\n", transcript);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(SmtpFaultProxy::closeQuietly);
    }

    // ---------------------------------------------------------------------------------------
    // The dialogue
    // ---------------------------------------------------------------------------------------

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = serverSocket.accept();
            } catch (IOException e) {
                return;
            }
            int id = connections.incrementAndGet();
            Thread thread = new Thread(() -> handle(id, client), "smtp-proxy-" + port() + "-" + id);
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void handle(int id, Socket client) {
        sockets.add(client);
        Socket server = new Socket();
        sockets.add(server);
        try {
            server.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
            Session session = new Session(id, client, server);
            session.run();
        } catch (IOException e) {
            note(id, "connection ended: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(client);
            closeQuietly(server);
            sockets.remove(client);
            sockets.remove(server);
        }
    }

    private final class Session {
        private final int id;
        private final Socket client;
        private final InputStream fromClient;
        private final OutputStream toClient;
        private final InputStream fromServer;
        private final OutputStream toServer;
        private final List<String> recipients = new ArrayList<>();
        private boolean mailFromSeen;

        Session(int id, Socket client, Socket server) throws IOException {
            this.id = id;
            this.client = client;
            this.fromClient = new BufferedInputStream(client.getInputStream());
            this.toClient = client.getOutputStream();
            this.fromServer = new BufferedInputStream(server.getInputStream());
            this.toServer = server.getOutputStream();
        }

        void run() throws IOException, InterruptedException {
            relay(readReply(fromServer)); // greeting
            while (true) {
                byte[] raw = readLine(fromClient);
                if (raw == null) {
                    note(id, "client closed the connection");
                    return;
                }
                String line = text(raw).strip();
                String upper = line.toUpperCase(Locale.ROOT);
                note(id, "C: " + line);
                if (brokenStartTls && (upper.startsWith("EHLO") || upper.equals("STARTTLS"))) {
                    if (upper.equals("STARTTLS")) {
                        startTlsCommands.incrementAndGet();
                        inject("220 2.0.0 Ready to start TLS");
                        send(toClient, "this is not TLS\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        return;
                    }
                    send(toServer, raw);
                    String reply = readReply(fromServer);
                    int firstLine = reply.indexOf("\r\n") + 2;
                    relay(reply.substring(0, firstLine) + "250-STARTTLS\r\n" + reply.substring(firstLine));
                    continue;
                }
                if (upper.startsWith("MAIL FROM:")) {
                    mailFromSeen = true;
                    mailFromCommands.incrementAndGet();
                    mailFromNanos.add(System.nanoTime());
                    recipients.clear();
                    if (mailFromRefusalsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                        inject(mailFromRefusal);
                        continue;
                    }
                } else if (upper.startsWith("RCPT TO:")) {
                    String address = address(line.substring("RCPT TO:".length()));
                    recipientCommands
                            .computeIfAbsent(address, a -> new AtomicInteger())
                            .incrementAndGet();
                    String rejection = rejectedRecipients.get(address);
                    if (rejection != null) {
                        inject(rejection);
                        continue;
                    }
                    recipients.add(address);
                } else if (upper.equals("DATA")) {
                    send(toServer, raw);
                    String reply = readReply(fromServer);
                    relay(reply);
                    if (reply.startsWith("354") && !message()) {
                        return;
                    }
                    continue;
                }
                send(toServer, raw);
                relay(readReply(fromServer));
                if (upper.equals("QUIT")) {
                    return;
                }
            }
        }

        /** Reads the message up to its {@code .}; returns false when the connection is to end. */
        private boolean message() throws IOException, InterruptedException {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            String messageId = null;
            boolean inHeaders = true;
            while (true) {
                byte[] raw = readLine(fromClient);
                if (raw == null) {
                    note(id, "client closed the connection in the middle of DATA");
                    return false;
                }
                data.write(raw);
                String line = text(raw);
                String content = line.endsWith("\r\n") ? line.substring(0, line.length() - 2) : line.strip();
                if (content.equals(".")) {
                    break;
                }
                if (inHeaders) {
                    if (content.isEmpty()) {
                        inHeaders = false;
                    } else if (content.regionMatches(true, 0, "Message-ID:", 0, 11)) {
                        messageId = content.substring(11).strip();
                    }
                }
            }
            String inFlightKey = messageId == null ? "(no Message-ID)" : messageId;
            inFlightMessageIds.add(inFlightKey);
            inFlight.incrementAndGet();
            int seq = dataEnds.incrementAndGet();
            try {
                DataEndFault fault = dataEndFaults.poll();
                note(
                        id,
                        "C: <message " + seq + ", " + data.size() + " bytes, Message-ID " + messageId + ">"
                                + (fault == null ? "" : " fault " + fault));
                Duration delay = messageDelay;
                if (!delay.isZero()) {
                    Thread.sleep(delay.toMillis());
                }
                String serverReply = null;
                if (fault == null || fault.forwards()) {
                    send(toServer, data.toByteArray());
                    serverReply = readReply(fromServer);
                    note(id, "S: " + serverReply.strip() + (fault == null ? "" : " (not relayed: " + fault + ")"));
                }
                boolean relayed = false;
                if (fault == null) {
                    relayed = relay(serverReply);
                }
                messages.add(new MessageRecord(seq, List.copyOf(recipients), messageId, fault, serverReply, relayed));
                if (fault == null) {
                    return relayed;
                }
                if (fault == DataEndFault.STALL_BEFORE_FORWARD || fault == DataEndFault.STALL_AFTER_FORWARD) {
                    awaitClientGone();
                }
                note(id, "proxy: closing the connection (" + fault + ")");
                return false;
            } finally {
                inFlight.decrementAndGet();
                inFlightMessageIds.remove(inFlightKey);
            }
        }

        /** Says nothing until the client closes its end (its read timed out), or a safety limit. */
        private void awaitClientGone() throws IOException {
            client.setSoTimeout(MAX_STALL_MILLIS);
            long start = System.nanoTime();
            try {
                while (fromClient.read() >= 0) {
                    // a client that sends anything more gets no answer either
                }
            } catch (SocketTimeoutException e) {
                note(id, "proxy: client still there after " + MAX_STALL_MILLIS + " ms of stall; closing");
                return;
            } catch (IOException e) {
                // reset by the client: gone as well
            }
            note(id, "client gave up after " + (System.nanoTime() - start) / 1_000_000 + " ms of stall");
        }

        private void inject(String reply) throws IOException {
            note(id, "proxy: " + reply + " (injected)");
            send(toClient, (reply + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }

        /** Sends the server's reply to the client; false if the client is gone. */
        private boolean relay(String reply) {
            try {
                Duration perByte = trickle;
                if (!perByte.isZero() && (mailFromSeen || !trickleFromMailFrom)) {
                    for (byte b : reply.getBytes(StandardCharsets.ISO_8859_1)) {
                        send(toClient, new byte[] {b});
                        try {
                            Thread.sleep(perByte.toMillis());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted while trickling", e);
                        }
                    }
                    note(id, "S: " + reply.strip().replace("\r\n", " | ") + " (trickled)");
                    return true;
                }
                send(toClient, reply.getBytes(StandardCharsets.ISO_8859_1));
                note(id, "S: " + reply.strip().replace("\r\n", " | "));
                return true;
            } catch (IOException e) {
                note(id, "client gone before the reply " + reply.strip() + " reached it");
                return false;
            }
        }
    }

    /** One reply, all its lines ({@code 250-...} up to {@code 250 ...}), as received. */
    private static String readReply(InputStream in) throws IOException {
        StringBuilder reply = new StringBuilder();
        while (true) {
            byte[] raw = readLine(in);
            if (raw == null) {
                throw new IOException("server closed the connection"
                        + (reply.isEmpty() ? "" : " after " + reply.toString().strip()));
            }
            String line = text(raw);
            reply.append(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return reply.toString();
            }
        }
    }

    /** The bytes of one line including its CRLF (or LF), or null at end of stream. */
    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n') {
                return line.toByteArray();
            }
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    private static void send(OutputStream out, byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    private static String text(byte[] raw) {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    private static String address(String argument) {
        String value = argument.strip();
        int open = value.indexOf('<');
        int close = value.indexOf('>', open + 1);
        if (open >= 0 && close > open) {
            value = value.substring(open + 1, close);
        } else {
            int space = value.indexOf(' ');
            value = space >= 0 ? value.substring(0, space) : value;
        }
        return value.toLowerCase(Locale.ROOT);
    }

    private void note(int connection, String line) {
        transcript.add("#" + connection + " " + line);
        log.debug("SmtpFaultProxy {} #{} {}", port(), connection, line);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
