package shop.reconciler.mail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * The socket of one SMTP connection, as Angus Mail's documented session properties hand it out:
 * {@code mail.<protocol>.socketFactory} (a {@link SocketFactory} instance) for the connection in
 * clear, {@code mail.<protocol>.ssl.socketFactory} for one that is TLS from its first byte. Both
 * factories made here create the socket through the one they wrap and keep the first one (a TLS
 * layer STARTTLS puts over it later reads and writes through it), so that the send loop can give
 * one reply a time-out of its own and close the connection under the transport when a deadline
 * passes, without reaching into the transport's fields.
 */
final class SocketWatch {

    private Socket socket;
    private boolean cut;

    /** A plain socket factory over {@code delegate} (the JVM's default when null) that reports to this watch. */
    SocketFactory plain(SocketFactory delegate) {
        SocketFactory inner = delegate == null ? SocketFactory.getDefault() : delegate;
        return new SocketFactory() {
            @Override
            public Socket createSocket() throws IOException {
                return watch(inner.createSocket());
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return watch(inner.createSocket(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                return watch(inner.createSocket(host, port, localHost, localPort));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return watch(inner.createSocket(host, port));
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                return watch(inner.createSocket(address, port, localAddress, localPort));
            }
        };
    }

    /** A TLS socket factory over {@code delegate} that reports the sockets it creates to this watch. */
    SSLSocketFactory tls(SSLSocketFactory delegate) {
        return new SSLSocketFactory() {
            @Override
            public String[] getDefaultCipherSuites() {
                return delegate.getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return delegate.getSupportedCipherSuites();
            }

            @Override
            public Socket createSocket() throws IOException {
                return watch(delegate.createSocket());
            }

            @Override
            public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
                return watch(delegate.createSocket(s, host, port, autoClose));
            }

            @Override
            public Socket createSocket(Socket s, InputStream consumed, boolean autoClose) throws IOException {
                return watch(delegate.createSocket(s, consumed, autoClose));
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return watch(delegate.createSocket(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                return watch(delegate.createSocket(host, port, localHost, localPort));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return watch(delegate.createSocket(host, port));
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                return watch(delegate.createSocket(address, port, localAddress, localPort));
            }
        };
    }

    /** Keeps the connection's first socket; one made after {@link #cut()} is closed at once. */
    private synchronized Socket watch(Socket created) throws IOException {
        if (socket == null) {
            socket = created;
        }
        if (cut) {
            created.close();
        }
        return created;
    }

    /** Whether a socket was handed out (the transport uses the factories, as it does unless told otherwise). */
    synchronized boolean watching() {
        return socket != null;
    }

    /** Sets the socket's read time-out; returns the one it had, or -1 when there is no socket. */
    synchronized int replyTimeout(int millis) {
        if (socket == null) {
            return -1;
        }
        try {
            int before = socket.getSoTimeout();
            socket.setSoTimeout(millis);
            return before;
        } catch (SocketException e) {
            return -1;
        }
    }

    /** Closes the connection under the transport: a read or write that waits on it fails at once. */
    synchronized void cut() {
        cut = true;
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed anyway
            }
        }
    }
}
