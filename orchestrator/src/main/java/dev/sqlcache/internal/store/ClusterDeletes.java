package dev.sqlcache.internal.store;

import static dev.sqlcache.internal.store.RedisCommands.bytes;
import static dev.sqlcache.internal.store.RedisCommands.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;

/**
 * {@link CacheStore#deleteMatching} on a Redis Cluster: entries are spread over every master ({@link ClusterKeys}), so
 * each master is scanned, for the control slot's keys by their tagged pattern and for entries by a broader one
 * ({@link ClusterKeys#entryPattern}); what comes back is kept only if its logical name matches the pattern
 * (the braces make the entries' pattern approximate), and deleted one {@code UNLINK} per key (keys of several slots
 * in one command would be refused with {@code CROSSSLOT}), a page's worth per round trip.
 */
final class ClusterDeletes {

    private static final int SCAN_BATCH = 500;
    private static final byte[] MATCH = bytes("MATCH");
    private static final byte[] COUNT = bytes("COUNT");

    private final RedisCommands redis;
    /** Logical names never deleted: not cached data (see {@link RedisCacheStore#deleteMatching}). */
    private final Set<String> kept;

    ClusterDeletes(RedisCommands redis, Set<String> kept) {
        this.redis = redis;
        this.kept = kept;
    }

    long deleteMatching(String pattern) {
        Pattern logical = GlobPattern.compile(pattern);
        String control = ClusterKeys.physical(pattern);
        String entries = ClusterKeys.entryPattern(pattern);
        return redis.execute("deleteMatching", () -> redis.onEachMaster(connection ->
                deleteOn(connection, control, logical, true) + deleteOn(connection, entries, logical, false)));
    }

    /** SCANs one master with {@code match}; {@code controlKeys}: keep the control slot's keys, else only entries. */
    private long deleteOn(Connection connection, String match, Pattern logical, boolean controlKeys) {
        byte[] cursor = bytes("0");
        long deleted = 0;
        do {
            List<?> page = (List<?>) connection.executeCommand(new CommandArguments(Protocol.Command.SCAN)
                    .add(cursor).add(MATCH).add(bytes(match)).add(COUNT).add(bytes(Integer.toString(SCAN_BATCH))));
            cursor = (byte[]) page.get(0);
            List<byte[]> doomed = new ArrayList<>();
            for (Object key : (List<?>) page.get(1)) {
                String stored = text((byte[]) key);
                String name = ClusterKeys.logical(stored);
                if (ClusterKeys.isControl(stored) == controlKeys && !kept.contains(name)
                        && logical.matcher(name).matches()) {
                    doomed.add((byte[]) key);
                }
            }
            for (byte[] key : doomed) {
                connection.sendCommand(new CommandArguments(Protocol.Command.UNLINK).add(key));
            }
            for (Object reply : connection.getMany(doomed.size())) {
                if (reply instanceof redis.clients.jedis.exceptions.JedisRedirectionException) {
                    // A key of a slot this node is importing (SCAN lists what a node holds; the slot is still the
                    // source's): left where it is, as a flush run mid-move leaves the moved keys (review rC).
                    continue;
                }
                if (reply instanceof RuntimeException e) {
                    throw e;
                }
                deleted += (Long) reply;
            }
        } while (!(cursor.length == 1 && cursor[0] == '0'));
        return deleted;
    }
}
