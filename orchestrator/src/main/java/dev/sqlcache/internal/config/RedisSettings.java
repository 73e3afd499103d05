package dev.sqlcache.internal.config;

import java.util.Optional;

/**
 * How to reach Redis. Exactly one transport: a Unix socket when {@code socketPath} is set, else TCP to the primary
 * the sentinels name when {@code sentinel} is set, else TCP to {@code host:port}. {@link #toString()} and
 * {@link #describe()} never show a password.
 *
 * @param host                 TCP host (unused with a socket path)
 * @param port                 TCP port (unused with a socket path)
 * @param socketPath           the Unix socket, or {@code null} for TCP
 * @param username             ACL user, or {@code null} for the default user
 * @param password             password, or {@code null} for none
 * @param database             the logical database number ({@code SELECT})
 * @param ssl                  whether TCP connections use TLS
 * @param maxConnections       the connection pool's size
 * @param socketTimeoutMillis  how long one command may wait for its reply
 * @param connectTimeoutMillis how long opening a connection may take
 * @param tlsCaFile            PEM certificates of the authorities trusted for the server's certificate, or
 *                             {@code null} for the JVM's default trust store
 * @param tlsCertFile          PEM client certificate (chain) for mutual TLS, or {@code null}
 * @param tlsKeyFile           PEM (PKCS#8) private key of the client certificate, or {@code null}
 * @param sentinel             where the sentinels are, or {@code null} for a fixed address ({@code host},
 *                             {@code port} are then unused)
 * @param cluster              the Redis Cluster's seed nodes, or {@code null} when Redis is not a cluster
 *                             ({@code host}, {@code port} are then unused)
 */
public record RedisSettings(String host, int port, String socketPath, String username, String password,
                            int database, boolean ssl, int maxConnections, int socketTimeoutMillis,
                            int connectTimeoutMillis, String tlsCaFile, String tlsCertFile, String tlsKeyFile,
                            SentinelSettings sentinel, ClusterSettings cluster) {

    /** Settings without a cluster. */
    public RedisSettings(String host, int port, String socketPath, String username, String password,
                         int database, boolean ssl, int maxConnections, int socketTimeoutMillis,
                         int connectTimeoutMillis, String tlsCaFile, String tlsCertFile, String tlsKeyFile,
                         SentinelSettings sentinel) {
        this(host, port, socketPath, username, password, database, ssl, maxConnections, socketTimeoutMillis,
                connectTimeoutMillis, tlsCaFile, tlsCertFile, tlsKeyFile, sentinel, null);
    }

    /** Settings without TLS files (the JVM's default trust store, no client certificate) and without sentinels. */
    public RedisSettings(String host, int port, String socketPath, String username, String password, int database,
                         boolean ssl, int maxConnections, int socketTimeoutMillis, int connectTimeoutMillis) {
        this(host, port, socketPath, username, password, database, ssl, maxConnections, socketTimeoutMillis,
                connectTimeoutMillis, null, null, null, null);
    }

    /** Settings with TLS files, at a fixed address. */
    public RedisSettings(String host, int port, String socketPath, String username, String password, int database,
                         boolean ssl, int maxConnections, int socketTimeoutMillis, int connectTimeoutMillis,
                         String tlsCaFile, String tlsCertFile, String tlsKeyFile) {
        this(host, port, socketPath, username, password, database, ssl, maxConnections, socketTimeoutMillis,
                connectTimeoutMillis, tlsCaFile, tlsCertFile, tlsKeyFile, null);
    }

    /** Settings with sentinels, without TLS files. */
    public RedisSettings(String host, int port, String socketPath, String username, String password,
                         int database, boolean ssl, int maxConnections, int socketTimeoutMillis,
                         int connectTimeoutMillis, SentinelSettings sentinel) {
        this(host, port, socketPath, username, password, database, ssl, maxConnections, socketTimeoutMillis,
                connectTimeoutMillis, null, null, null, sentinel);
    }

    /** Whether the primary is found through Redis Sentinel. */
    public boolean usesSentinel() {
        return sentinel != null;
    }

    /** Whether Redis is a Redis Cluster, reached through its seed nodes. */
    public boolean usesCluster() {
        return cluster != null;
    }

    /** Whether TLS uses files of its own rather than the JVM-wide settings. */
    public boolean hasTlsFiles() {
        return tlsCaFile != null || tlsCertFile != null || tlsKeyFile != null;
    }

    /** Whether a Unix socket is used instead of TCP. */
    public boolean usesUnixSocket() {
        return socketPath != null;
    }

    public Optional<String> socketPathIfSet() {
        return Optional.ofNullable(socketPath);
    }

    /**
     * The address for logs and messages, e.g. {@code 127.0.0.1:6379 db 0}, {@code unix:/tmp/redis.sock db 2},
     * {@code redis.example:6380 db 0 user app tls}. Never the password.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (usesUnixSocket()) {
            sb.append("unix:").append(socketPath);
        } else if (usesSentinel()) {
            sb.append("sentinel ").append(sentinel.describe());
        } else if (usesCluster()) {
            sb.append("cluster ").append(cluster.describe());
        } else {
            sb.append(host.contains(":") ? "[" + host + "]" : host).append(':').append(port);
        }
        sb.append(" db ").append(database);
        if (username != null) {
            sb.append(" user ").append(username);
        }
        if (ssl && !usesUnixSocket()) {
            sb.append(" tls");
        }
        return sb.toString();
    }

    /*
     * equals and hashCode are written out: a record's generated ones go through java.lang.runtime.ObjectMethods,
     * whose shared method handles keep the last record class they were adapted to (JDK-8078641, fixed in JDK 18),
     * and on JDK 17 that alone pins an undeployed application's class loader. These keys are compared on every
     * connection.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof RedisSettings that && port == that.port && database == that.database
                && ssl == that.ssl && maxConnections == that.maxConnections
                && socketTimeoutMillis == that.socketTimeoutMillis
                && connectTimeoutMillis == that.connectTimeoutMillis && java.util.Objects.equals(host, that.host)
                && java.util.Objects.equals(socketPath, that.socketPath)
                && java.util.Objects.equals(username, that.username)
                && java.util.Objects.equals(password, that.password)
                && java.util.Objects.equals(tlsCaFile, that.tlsCaFile)
                && java.util.Objects.equals(tlsCertFile, that.tlsCertFile)
                && java.util.Objects.equals(tlsKeyFile, that.tlsKeyFile)
                && java.util.Objects.equals(sentinel, that.sentinel)
                && java.util.Objects.equals(cluster, that.cluster);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(host, port, socketPath, username, password, database, ssl, maxConnections,
                socketTimeoutMillis, connectTimeoutMillis, tlsCaFile, tlsCertFile, tlsKeyFile, sentinel, cluster);
    }

    @Override
    public String toString() {
        return "RedisSettings[" + describe() + ", password=" + (password == null ? "none" : "***")
                + (sentinel == null ? "" : ", sentinel password=" + (sentinel.password() == null ? "none" : "***"))
                + ", maxConnections=" + maxConnections + ", socketTimeoutMillis=" + socketTimeoutMillis
                + ", connectTimeoutMillis=" + connectTimeoutMillis
                + (hasTlsFiles() ? ", tlsCaFile=" + tlsCaFile + ", tlsCertFile=" + tlsCertFile + ", tlsKeyFile="
                        + tlsKeyFile : "") + "]";
    }
}
