package dev.sqlcache.internal.store;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Turns whatever Jedis or the pool threw into a {@link CacheStoreException} that says which operation failed on
 * which server and why, in words an operator can act on. Raw Jedis exceptions never escape the store; they stay
 * attached as the cause. The password is scrubbed from every message, in case a server echoes it.
 */
public final class RedisFailures {

    private final String address;
    private final String password;
    private final String sentinelPassword;
    private final int socketTimeoutMillis;
    private final boolean tls;
    /** Whether the server is meant to be a Redis Cluster: redirections then pass, they are not misconfigurations. */
    private final boolean cluster;

    public RedisFailures(String address, String password, int socketTimeoutMillis) {
        this(address, password, null, socketTimeoutMillis, false, false);
    }

    private RedisFailures(String address, String password, String sentinelPassword, int socketTimeoutMillis,
                          boolean tls, boolean cluster) {
        this.address = address;
        this.password = password;
        this.sentinelPassword = sentinelPassword;
        this.socketTimeoutMillis = socketTimeoutMillis;
        this.tls = tls;
        this.cluster = cluster;
    }

    /** For a store's settings: scrubs the sentinels' password as well as the server's. */
    public static RedisFailures of(dev.sqlcache.internal.config.RedisSettings settings) {
        return new RedisFailures(settings.describe(), settings.password(),
                settings.usesSentinel() ? settings.sentinel().password() : null, settings.socketTimeoutMillis(),
                settings.ssl() && !settings.usesUnixSocket(), settings.usesCluster());
    }

    public CacheStoreException translate(String operation, Throwable failure) {
        return translate(operation, failure, false);
    }

    /**
     * @param closedTwice the call failed on a connection the server closed, and again on a fresh one: a server that
     *                    hangs up on every new connection before answering (a TLS port spoken to in plain text)
     */
    public CacheStoreException translate(String operation, Throwable failure, boolean closedTwice) {
        CacheStoreException translated = describe(operation, failure);
        Misconfiguration misconfiguration = misconfiguration(failure, closedTwice);
        return misconfiguration == null ? translated
                : new CacheStoreException(translated.getMessage(), failure, misconfiguration);
    }

    /**
     * What is misconfigured when the failure is an answer that will not change until a setting does; {@code null}
     * for a failure that may pass (a timeout, a refused or reset connection, a full or loading server).
     */
    private Misconfiguration misconfiguration(Throwable failure, boolean closedTwice) {
        String denied = permissionDenial(failure);
        if (denied != null) {
            // NOPERM is checked before a command runs; a command refused inside a script comes after the script's
            // earlier commands, which may have written.
            return new Misconfiguration("the Redis user lacks a permission sqlcache needs (" + denied + ")",
                    "grant the user of sqlcache.redis.username the commands and key pattern listed under "
                            + "\"Securing Redis\" in docs/configuration.md", denied.startsWith("NOPERM"));
        }
        if (isAuthenticationFailure(failure)) {
            return new Misconfiguration("the server rejected the credentials",
                    "sqlcache.redis.username and sqlcache.redis.password" + (address.startsWith("sentinel ")
                            ? " (for the sentinels, sqlcache.redis.sentinelUser and sentinelPassword)" : ""), true);
        }
        if (has(failure, javax.net.ssl.SSLException.class)) {
            return new Misconfiguration("TLS failed (" + rootMessage(failure) + ")", tls
                    ? "sqlcache.redis.tls.caFile (the authority that signed the server's certificate, which must "
                            + "name the host), for mutual TLS sqlcache.redis.tls.certFile and keyFile, or "
                            + "sqlcache.redis.ssl=false if this port does not speak TLS"
                    : "sqlcache.redis.ssl", true);
        }
        String reply = serverError(failure);
        if (reply != null) {
            String code = reply.split(" ", 2)[0];
            if (!cluster && (code.equals("CROSSSLOT") || code.equals("MOVED") || code.equals("ASK")
                    || code.equals("CLUSTERDOWN") || reply.contains("not allowed in cluster mode"))) {
                return new Misconfiguration("the server is a Redis Cluster node, given as a single server ("
                        + reply + ")", "sqlcache.redis.cluster (REDIS_CLUSTER_NODES) with the cluster's nodes, "
                                + "instead of sqlcache.redis.url, host and port", true);
            }
            if (cluster && code.equals("CROSSSLOT")) {
                return new Misconfiguration("a command spanned hash slots on the Redis Cluster (" + reply
                        + "): sqlcache's keys all carry one hash tag, so a proxy or module rewrote them", "report "
                        + "this as a bug of sqlcache, with the Redis Cluster's version", true);
            }
            if (reply.startsWith("ERR unknown command")) {
                int arguments = reply.indexOf(", with args");
                return new Misconfiguration("the server does not know a command sqlcache needs ("
                        + (arguments > 0 ? reply.substring(0, arguments) : reply)
                        + "): a Redis Sentinel's port given as the Redis address, or a server without scripting",
                        "with Sentinel, sqlcache.redis.sentinels and sqlcache.redis.sentinelMaster instead of "
                                + "sqlcache.redis.url, host and port", true);
            }
        }
        if (closedTwice && !tls) {
            // Not "refused before running": a link or proxy that hangs up after forwarding looks the same to the
            // client, and the command (a join, say) may have run.
            return new Misconfiguration("the server closes every connection before answering: probably a TLS port "
                    + "spoken to in plain text", "sqlcache.redis.ssl=true, or a rediss:// URL", false);
        }
        return null;
    }

    /** The server's error reply, when the failure is one; {@code null} otherwise. */
    private static String serverError(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof redis.clients.jedis.exceptions.JedisDataException && t.getMessage() != null) {
                return t.getMessage().strip();
            }
        }
        return null;
    }

    private CacheStoreException describe(String operation, Throwable failure) {
        // A partial run over the masters: how many failed leads, then why the first one did (its own words).
        String why = failure instanceof SomeMastersFailed partial && partial.getCause() != null
                ? partial.summary() + ": " + why(operation, partial.getCause()) : why(operation, failure);
        return new CacheStoreException(scrub("redis " + address + ": " + operation + " failed: " + why), failure);
    }

    private String why(String operation, Throwable failure) {
        String why;
        String denied = permissionDenial(failure);
        if (denied != null) {
            why = "the Redis user lacks a permission sqlcache needs (" + denied + "); grant the commands and key "
                    + "pattern listed under \"Securing Redis\" in docs/configuration.md";
        } else if (isAuthenticationFailure(failure)) {
            why = "the server rejected the credentials (check sqlcache.redis.username and sqlcache.redis.password"
                    + (sentinelPassword != null || address.startsWith("sentinel ")
                            ? "; for the sentinels, sqlcache.redis.sentinelUser and sqlcache.redis.sentinelPassword)"
                            : ")");
        } else if (has(failure, javax.net.ssl.SSLException.class)) {
            why = "TLS failed (" + rootMessage(failure) + "): check that sqlcache.redis.tls.caFile holds the authority "
                    + "that signed the server's certificate, that the certificate names the host sqlcache connects to, "
                    + "and, for mutual TLS, sqlcache.redis.tls.certFile and keyFile";
        } else if (has(failure, SocketTimeoutException.class)) {
            why = "no answer within the timeout (sqlcache.redis.socketTimeout = " + socketTimeoutMillis + " ms)";
        } else if (has(failure, ConnectException.class)
                || operation.equals("connect") && failure instanceof JedisConnectionException) {
            why = "cannot connect (" + rootMessage(failure) + ")";
        } else if (failure instanceof JedisConnectionException) {
            why = "connection failed (" + rootMessage(failure) + ")";
        } else {
            why = rootMessage(failure);
        }
        return why;
    }

    /**
     * Whether the server redirected the command or could not serve its slot ({@code MOVED}, {@code ASK},
     * {@code TRYAGAIN}, {@code CLUSTERDOWN}): on a Redis Cluster, a failover or a slot being moved, which passes.
     */
    static boolean isRedirection(Throwable failure) {
        String reply = serverError(failure);
        if (reply == null) {
            return failure instanceof redis.clients.jedis.exceptions.JedisRedirectionException;
        }
        String code = reply.split(" ", 2)[0];
        return code.equals("MOVED") || code.equals("ASK") || code.equals("TRYAGAIN") || code.equals("CLUSTERDOWN");
    }

    /**
     * Whether the failure looks like a pooled connection that died while idle (server restarted, connection
     * reset), where one retry on a fresh connection is worth it. Timeouts are not: retrying would double the wait.
     */
    static boolean isStaleConnection(Throwable failure) {
        return failure instanceof JedisConnectionException
                && !has(failure, SocketTimeoutException.class)
                && !isAuthenticationFailure(failure);
    }

    /**
     * Whether the server hung up on a connection it had accepted (end of stream, or reset: a TLS listener answers
     * plain text with an alert and a reset) rather than refusing it or timing out.
     */
    static boolean isClosedByServer(Throwable failure) {
        String root = rootMessage(failure);
        return isStaleConnection(failure) && !has(failure, ConnectException.class)
                && (root.contains("end of stream") || root.contains("Connection reset"));
    }

    /**
     * The server's words when an ACL denied a command or key to an authenticated user ({@code NOPERM ...}, or a
     * script refused a command it runs); {@code null} for anything else. Such a failure is not about credentials,
     * and retrying it cannot help.
     */
    public static String permissionDenial(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            int noPerm = message.indexOf("NOPERM");
            if (noPerm >= 0) {
                return message.substring(noPerm).strip();
            }
            if (message.contains("can't run this command or subcommand")) {
                return "a command run inside a script: " + message.strip();
            }
        }
        return null;
    }

    static boolean isAuthenticationFailure(Throwable failure) {
        if (permissionDenial(failure) != null) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof JedisAccessControlException) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && (message.startsWith("WRONGPASS") || message.startsWith("NOAUTH")
                    || message.contains("invalid password") || message.contains("invalid username-password"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean has(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable failure) {
        String message = failure.getClass().getSimpleName();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }

    private String scrub(String message) {
        String scrubbed = password == null || password.isEmpty() ? message : message.replace(password, "***");
        return sentinelPassword == null || sentinelPassword.isEmpty() ? scrubbed
                : scrubbed.replace(sentinelPassword, "***");
    }
}
