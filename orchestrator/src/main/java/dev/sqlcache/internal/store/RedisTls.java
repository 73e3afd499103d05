package dev.sqlcache.internal.store;

import dev.sqlcache.internal.config.RedisSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS to Redis from sqlcache's own settings ({@code sqlcache.redis.tls.caFile}, {@code certFile}, {@code keyFile},
 * PEM), without touching JVM-wide {@code javax.net.ssl.*} properties that other libraries of the application share.
 * The server's host name is always verified against its certificate.
 */
public final class RedisTls {

    private RedisTls() {
    }

    /** Verifies the server's name (as HTTPS does: the certificate's subject alternative names). */
    public static SSLParameters parameters() {
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        return parameters;
    }

    /**
     * A context trusting the configured CA (else the JVM's default trust store) and presenting the configured
     * client certificate, if any.
     *
     * @throws IllegalArgumentException naming the file that cannot be used (never its contents)
     */
    public static SSLContext context(RedisSettings settings) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (settings.tlsCaFile() != null) {
                KeyStore anchors = KeyStore.getInstance("PKCS12");
                anchors.load(null, null);
                int i = 0;
                for (Certificate ca : certificates(settings.tlsCaFile())) {
                    anchors.setCertificateEntry("ca-" + i++, ca);
                }
                trust.init(anchors);
            } else {
                trust.init((KeyStore) null);
            }
            KeyManagerFactory keys = null;
            if (settings.tlsCertFile() != null) {
                char[] none = new char[0];
                KeyStore identity = KeyStore.getInstance("PKCS12");
                identity.load(null, null);
                identity.setKeyEntry("client", privateKey(settings.tlsKeyFile()), none,
                        certificates(settings.tlsCertFile()).toArray(new Certificate[0]));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(identity, none);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("sqlcache: cannot set up TLS to Redis from sqlcache.redis.tls.*: " + e,
                    e);
        }
    }

    private static List<Certificate> certificates(String file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            Collection<? extends Certificate> found = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (found.isEmpty()) {
                throw new IllegalArgumentException("sqlcache: no certificate in " + file);
            }
            return new ArrayList<>(found);
        }
    }

    private static PrivateKey privateKey(String file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf("-----END PRIVATE KEY-----");
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("sqlcache: " + file + " holds no unencrypted PKCS#8 private key"
                    + " (-----BEGIN PRIVATE KEY-----); convert it with: openssl pkcs8 -topk8 -nocrypt -in <key>");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }
}
