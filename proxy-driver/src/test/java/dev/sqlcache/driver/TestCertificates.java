package dev.sqlcache.driver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificate authorities and certificates made with the {@code openssl} command line in a temporary directory, for
 * the tests that speak TLS to a real {@code redis-server}: no JVM-wide trust store, sqlcache's own TLS settings only.
 */
final class TestCertificates implements AutoCloseable {

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    static TestCertificates create() throws IOException {
        return new TestCertificates(Files.createTempDirectory("sqlcache-tls"));
    }

    /** A self-signed certificate authority: {@code name.crt} and {@code name.key}. */
    TestCertificates authority(String name) throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".crt",
                "-days", "2", "-subj", "/CN=" + name);
        return this;
    }

    /** A key and a certificate signed by {@code ca} with these subject alternative names ("" for none). */
    TestCertificates certificate(String name, String ca, String san) throws Exception {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + name);
        Files.writeString(dir.resolve(name + ".ext"), san.isEmpty() ? "" : "subjectAltName=" + san + "\n");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
        return this;
    }

    String file(String name) {
        return dir.resolve(name).toString();
    }

    /** {@code redis-server} arguments for a TLS port with the {@code server} certificate, requiring clients' ones. */
    List<String> redisTls(int port, String server, String ca) {
        return List.of("--tls-port", Integer.toString(port), "--tls-cert-file", file(server + ".crt"),
                "--tls-key-file", file(server + ".key"), "--tls-ca-cert-file", file(ca + ".crt"),
                "--tls-auth-clients", "yes");
    }

    private void openssl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, command + ": " + output);
    }

    @Override
    public void close() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
