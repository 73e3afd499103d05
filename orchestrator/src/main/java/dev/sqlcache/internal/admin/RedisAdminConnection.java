package dev.sqlcache.internal.admin;

import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.store.ClusterKeys;
import dev.sqlcache.internal.store.RedisConnections;
import dev.sqlcache.internal.store.RedisFailures;
import java.util.function.Supplier;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * One plain Jedis connection for the commands the {@link dev.sqlcache.internal.store.CacheStore} interface does not offer
 * (PING timing, INFO, SCAN with sizes, EXISTS), opened with the same settings as the store: address, socket,
 * database, user, password and TLS. Every failure becomes a one-line {@link AdminException} that names the server
 * and never the password.
 *
 * <p>On a Redis Cluster it is a connection to the master of the control slot all of sqlcache's keys but the entries are
 * in, found when it connects, plus one to every other master for what reads entries ({@link #nodes}); the commands
 * name keys as they are stored ({@link #key}, {@link #patterns}) and read them back by the names the rest of the tool
 * knows ({@link #logical}).
 */
final class RedisAdminConnection implements AutoCloseable {

    private final Jedis jedis;
    private final RedisSettings settings;
    private final boolean cluster;
    /** On a cluster, the master of sqlcache's slot this connects to; {@code null} otherwise. */
    private final HostAndPort slotMaster;
    /**
     * On a cluster, that master's node id: what tells it apart among the masters, whose addresses depend on who
     * answered (a seed given as a host name, a node that names no host); {@code null} otherwise.
     */
    private final String slotMasterId;
    /** One connection per master ({@link #jedis} among them): entries are spread over all; opened on first use. */
    private java.util.List<Jedis> masters;

    /** Connects (Jedis connects in its constructor), authenticates and selects the database. */
    RedisAdminConnection(RedisSettings settings) throws AdminException {
        this.settings = settings;
        this.cluster = settings.usesCluster();
        DefaultJedisClientConfig config = RedisConnections.clientConfig(settings, "sqlcache-admin");
        try {
            if (cluster) {
                this.slotMaster = RedisConnections.slotMasterNow(settings, config);
                this.jedis = new Jedis(slotMaster, config);
            } else {
                this.slotMaster = null;
                this.jedis = new Jedis(RedisConnections.sockets(settings, config), config);
            }
        } catch (RuntimeException e) {
            throw failure(settings, "connect", e);
        }
        try {
            this.slotMasterId = cluster ? jedis.clusterMyId() : null;
        } catch (RuntimeException e) {
            closeQuietly(jedis);
            throw failure(settings, "connect", e);
        }
    }

    /** The key (or SCAN pattern) as this Redis stores it: itself, or on a cluster with sqlcache's hash tag. */
    String key(String logical) {
        return cluster ? ClusterKeys.physical(logical) : logical;
    }

    /** The name of a key read from this Redis (SCAN) as sqlcache knows it: {@link #key} undone. */
    String logical(String stored) {
        return cluster ? ClusterKeys.logical(stored) : stored;
    }

    /**
     * The SCAN patterns that find the keys whose logical names match {@code logical}, on each node: itself on one
     * server; on a cluster the control slot's form and the entries' ({@link ClusterKeys#entryPattern}), whose finds
     * {@link #counts} tells apart.
     */
    java.util.List<String> patterns(String logical) {
        return cluster ? java.util.List.of(ClusterKeys.physical(logical), ClusterKeys.entryPattern(logical))
                : java.util.List.of(logical);
    }

    /**
     * Whether a key found by {@code patterns(logical).get(index)} is counted: on a cluster, the first pattern's
     * finds in the control slot's form, the second's outside it and matching {@code logical} by their logical name
     * (the entries' pattern is broader than {@code logical}, and {@code sql:*} finds both forms).
     */
    boolean counts(int index, String stored, java.util.regex.Pattern logical) {
        if (!cluster) {
            return true;
        }
        boolean control = ClusterKeys.isControl(stored);
        return index == 0 ? control : !control && logical.matcher(ClusterKeys.logical(stored)).matches();
    }

    /** One connection per node that holds sqlcache's keys: the server, or every master of a cluster. */
    java.util.List<Jedis> nodes() throws AdminException {
        if (!cluster) {
            return java.util.List.of(jedis);
        }
        if (masters == null) {
            java.util.List<Jedis> opened = new java.util.ArrayList<>();
            opened.add(jedis);
            DefaultJedisClientConfig config = RedisConnections.clientConfig(settings, "sqlcache-admin");
            try {
                for (var master : RedisConnections.mastersNow(settings, config).entrySet()) {
                    if (!master.getKey().equals(slotMasterId)) {
                        opened.add(new Jedis(master.getValue(), config));
                    }
                }
            } catch (RuntimeException e) {
                opened.subList(1, opened.size()).forEach(Jedis::close);
                throw failure(settings, "connect", e);
            }
            masters = opened;
        }
        return masters;
    }

    /** For output on a cluster: which node serves sqlcache's slot; empty otherwise. */
    String node() {
        return cluster ? " (sqlcache's slot " + ClusterKeys.SLOT + " on " + slotMaster + ")" : "";
    }

    /** Runs one operation on the connection; any Jedis failure becomes a one-line runtime error. */
    <T> T call(String operation, Supplier<T> action) throws AdminException {
        try {
            return action.get();
        } catch (RuntimeException e) {
            throw failure(settings, operation, e);
        }
    }

    /** Runs one operation with the raw connection. */
    <T> T with(String operation, java.util.function.Function<Jedis, T> action) throws AdminException {
        return call(operation, () -> action.apply(jedis));
    }

    /** One line saying what failed on which server and why, worded as the driver words it, password scrubbed. */
    static AdminException failure(RedisSettings settings, String operation, Throwable e) {
        String message = RedisFailures.of(settings).translate(operation, e).getMessage();
        return AdminException.runtime(firstLine(message), e);
    }

    static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).strip();
    }

    @Override
    public void close() {
        if (masters != null) {
            masters.subList(1, masters.size()).forEach(RedisAdminConnection::closeQuietly);
        }
        closeQuietly(jedis);
    }

    private static void closeQuietly(Jedis jedis) {
        try {
            jedis.close();
        } catch (RuntimeException ignored) {
            // nothing left to do with a connection that failed
        }
    }
}
