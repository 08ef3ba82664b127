package shop.reconciler.mail;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.springframework.boot.ssl.SslBundle;

/**
 * TLS as MTAs use it when nothing requires it (RFC 7435, opportunistic security): the server's
 * certificate is verified as usual (the JVM's trust store, or the SSL bundle named by
 * {@code spring.mail.ssl.bundle}; its host name by Angus Mail's {@code ssl.checkserveridentity},
 * on by default), and when it cannot be verified the connection stays encrypted, without
 * authentication, instead of failing. Each connection gets a {@link Handshake} of its own, which
 * says afterwards whether the certificate was verified and, if not, why.
 *
 * <p>It goes to Angus Mail through its documented {@code mail.<protocol>.ssl.socketFactory}
 * session property (an {@link SSLSocketFactory} instance), as Spring Boot's SSL bundle does.
 */
final class OpportunisticTls {

    private final X509TrustManager verifier;
    private final KeyManager[] keyManagers;
    private final String protocol;

    private OpportunisticTls(X509TrustManager verifier, KeyManager[] keyManagers, String protocol) {
        this.verifier = verifier;
        this.keyManagers = keyManagers;
        this.protocol = protocol;
    }

    /** Verifying against {@code bundle}'s trust material (and presenting its key, if any), or the JVM's when null. */
    static OpportunisticTls of(SslBundle bundle) {
        try {
            if (bundle != null) {
                return new OpportunisticTls(
                        x509(bundle.getManagers().getTrustManagers()),
                        bundle.getManagers().getKeyManagers(),
                        bundle.getProtocol());
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            return new OpportunisticTls(x509(factory.getTrustManagers()), null, "TLS");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the trust store to verify SMTP servers: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager x509(TrustManager[] managers) throws GeneralSecurityException {
        for (TrustManager manager : managers) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    Handshake handshake() {
        return new Handshake();
    }

    /** One connection's TLS: its socket factory, and what verifying the server's certificate found. */
    final class Handshake {

        private volatile String unverified;

        SSLSocketFactory socketFactory() {
            try {
                SSLContext context = SSLContext.getInstance(protocol);
                context.init(keyManagers, new TrustManager[] {new Recording()}, null);
                return context.getSocketFactory();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot set up TLS for SMTP: " + e.getMessage(), e);
            }
        }

        /** Why the server's certificate could not be verified, or null when it was (or no handshake took place). */
        String unverified() {
            return unverified;
        }

        /** Verifies like {@code verifier}; a failure is recorded, not thrown. */
        private final class Recording extends X509ExtendedTrustManager {

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
                try {
                    if (verifier instanceof X509ExtendedTrustManager extended) {
                        extended.checkServerTrusted(chain, authType, socket);
                    } else {
                        verifier.checkServerTrusted(chain, authType);
                    }
                } catch (CertificateException | RuntimeException e) {
                    unverified = ConnectFailure.of(e).reason();
                }
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
                try {
                    if (verifier instanceof X509ExtendedTrustManager extended) {
                        extended.checkServerTrusted(chain, authType, engine);
                    } else {
                        verifier.checkServerTrusted(chain, authType);
                    }
                } catch (CertificateException | RuntimeException e) {
                    unverified = ConnectFailure.of(e).reason();
                }
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                try {
                    verifier.checkServerTrusted(chain, authType);
                } catch (CertificateException | RuntimeException e) {
                    unverified = ConnectFailure.of(e).reason();
                }
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                throw new CertificateException("an SMTP client does not authenticate clients");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                throw new CertificateException("an SMTP client does not authenticate clients");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("an SMTP client does not authenticate clients");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return verifier.getAcceptedIssuers();
            }
        }
    }
}
