package shop.reconciler.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback TCP proxy for cutting a real connection in a test: a server socket on a free port of
 * 127.0.0.1 that forwards each accepted connection to {@code host:port}, one pair of threads per
 * connection (one per direction).
 *
 * <ul>
 *   <li>{@link #sever()} closes every live connection, both sides, at once (the client sees its
 *       socket reset or closed mid-statement, the server sees its client vanish) and keeps
 *       accepting new ones: a network blip, or a server restart that came back at once.
 *   <li>{@link #refuseNewConnections(boolean)}: new connections are closed as soon as they are
 *       accepted, as long as the server is "down".
 *   <li>{@link #pause()} / {@link #resume()}: bytes stop flowing in both directions (the
 *       connections stay open, as behind a dead router) until resumed.
 * </ul>
 */
public final class TcpProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TcpProxy.class);

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket serverSocket;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger severed = new AtomicInteger();
    private final Object pauseLock = new Object();
    private volatile boolean paused;
    private volatile boolean refusing;
    private volatile boolean closed;

    private TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free loopback port in front of {@code host:port}. */
    public static TcpProxy start(String host, int port) {
        try {
            return new TcpProxy(host, port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a proxy port", e);
        }
    }

    /** The port clients connect to (on 127.0.0.1). */
    public int port() {
        return serverSocket.getLocalPort();
    }

    /**
     * A {@code jdbc:mysql://} URL of the test database that goes through this proxy: the
     * database's own URL with its host and port replaced by the proxy's.
     */
    public String jdbcUrl(TestDatabase.DatabaseRef database) {
        String url = database.url();
        String prefix = "jdbc:mysql://";
        if (!url.startsWith(prefix)) {
            throw new IllegalArgumentException("not a jdbc:mysql URL: " + url);
        }
        int slash = url.indexOf('/', prefix.length());
        return prefix + "127.0.0.1:" + port() + url.substring(slash);
    }

    /** Connections accepted so far. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Connections open right now. */
    public int liveConnections() {
        return links.size();
    }

    /** Connections closed by {@link #sever()} so far. */
    public int severedConnections() {
        return severed.get();
    }

    /** Closes every live connection, both sides; new connections are still accepted. */
    public int sever() {
        int count = 0;
        for (Link link : links) {
            link.close();
            count++;
        }
        severed.addAndGet(count);
        log.info("TcpProxy {} -> {}:{}: severed {} connection(s)", port(), targetHost, targetPort, count);
        return count;
    }

    /** While true, every new connection is closed as soon as it is accepted. */
    public void refuseNewConnections(boolean refuse) {
        this.refusing = refuse;
    }

    /** Stops forwarding bytes in both directions; connections stay open. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    @Override
    public void close() {
        closed = true;
        resume();
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        links.forEach(Link::close);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("TcpProxy {}: accept failed: {}", port(), e.toString());
                }
                return;
            }
            accepted.incrementAndGet();
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            Socket server;
            try {
                server = new Socket();
                server.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
            } catch (IOException e) {
                log.warn("TcpProxy {}: cannot reach {}:{}: {}", port(), targetHost, targetPort, e.toString());
                closeQuietly(client);
                continue;
            }
            Link link = new Link(client, server);
            links.add(link);
            link.start();
        }
    }

    private void awaitUnpaused() throws InterruptedException {
        synchronized (pauseLock) {
            while (paused && !closed) {
                pauseLock.wait();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** One proxied connection: client and server sockets, a pump thread per direction. */
    private final class Link {
        private final Socket client;
        private final Socket server;
        private final AtomicInteger pumpsRunning = new AtomicInteger(2);

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            int id = accepted.get();
            startPump(client, server, "tcp-proxy-" + port() + "-c2s-" + id);
            startPump(server, client, "tcp-proxy-" + port() + "-s2c-" + id);
        }

        private void startPump(Socket from, Socket to, String name) {
            Thread thread = new Thread(() -> pump(from, to), name);
            thread.setDaemon(true);
            thread.start();
        }

        private void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitUnpaused();
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (SocketException e) {
                // closed by sever() or by the other side
            } catch (IOException e) {
                log.debug("TcpProxy {}: pump ended: {}", port(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                // A half-closed TCP connection is not something either side expects here: close both.
                close();
            }
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            closeQuietly(server);
        }
    }
}
