package dev.sqlcache.internal.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Where sqlcache's keys live on a Redis Cluster. Entries are spread over every slot: the hash of
 * {@code sql:<table>:data:<hash>} is the tag ({@code sql:<table>:data:{<hash>}}, {@link #entry}), so their memory and
 * bytes, most of the traffic, spread over every master. Every other key (the fence, the tokens, their leases, the
 * membership, the near members' set) is in one hash slot, the control slot, through the hash tag {@value #TAG} put
 * right after {@code sql:} ({@link #physical}): every script names those only, so none spans slots and the lease,
 * end and membership scripts keep their single-server atomicity. An entry is only ever named alone, by a plain
 * command sent to its own slot's master. Why entries need no atomicity with their tokens: docs/consistency.md, "When
 * Redis is a Cluster".
 */
public final class ClusterKeys {

    /** The hash tag; the slot every key hashes to is this text's. */
    static final String TAG = "{sqlcache}";
    /** The control slot: every key but the entries. */
    public static final int SLOT = JedisClusterCRC16.getSlot("sqlcache");

    private static final byte[] PREFIX = "sql:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TAG_BYTES = TAG.getBytes(StandardCharsets.US_ASCII);

    private ClusterKeys() {
    }

    /** The key as stored on the cluster: the tag after {@code sql:}, or before the whole key if it lacks that. */
    static byte[] physical(byte[] key) {
        int at = startsWith(key, PREFIX) ? PREFIX.length : 0;
        byte[] out = new byte[key.length + TAG_BYTES.length];
        System.arraycopy(key, 0, out, 0, at);
        System.arraycopy(TAG_BYTES, 0, out, at, TAG_BYTES.length);
        System.arraycopy(key, at, out, at + TAG_BYTES.length, key.length - at);
        return out;
    }

    /** {@link #physical(byte[])} of text; also turns a glob over logical names into one over stored names. */
    public static String physical(String key) {
        return new String(physical(key.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /**
     * An entry's key as stored on the cluster: its last part (the query's hash) in braces, the hash tag that picks
     * its slot. {@code sql:t:data:0af3...} becomes {@code sql:t:data:{0af3...}}.
     */
    static byte[] entry(byte[] key) {
        int at = key.length;
        while (at > 0 && key[at - 1] != ':') {
            at--;
        }
        byte[] out = new byte[key.length + 2];
        System.arraycopy(key, 0, out, 0, at);
        out[at] = '{';
        System.arraycopy(key, at, out, at + 1, key.length - at);
        out[out.length - 1] = '}';
        return out;
    }

    /** {@link #entry(byte[])} of text. */
    public static String entry(String key) {
        return new String(entry(key.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /** The slot of a key as stored (its first {@code {...}}, as Redis hashes it). */
    static int slot(byte[] stored) {
        return JedisClusterCRC16.getSlot(stored);
    }

    /**
     * The name sqlcache knows a stored key by: {@link #physical} or {@link #entry} undone. A key in neither form is
     * not sqlcache's and comes back as it is.
     */
    public static String logical(String stored) {
        int at = stored.startsWith("sql:") ? "sql:".length() : 0;
        if (stored.startsWith(TAG, at)) {
            return stored.substring(0, at) + stored.substring(at + TAG.length());
        }
        int open = stored.lastIndexOf(":{");
        if (open >= 0 && stored.endsWith("}") && stored.indexOf('}', open) == stored.length() - 1) {
            return stored.substring(0, open + 1) + stored.substring(open + 2, stored.length() - 1);
        }
        return stored;
    }

    /** Whether a stored key is in the control slot's form ({@link #physical}), not an entry's. */
    public static boolean isControl(String stored) {
        return stored.startsWith(TAG, stored.startsWith("sql:") ? "sql:".length() : 0);
    }

    /**
     * A SCAN pattern that finds, among stored entries, at least those whose logical key matches {@code pattern}
     * (a caller keeps only what matches by {@link #logical}): the pattern's literal beginning up to its last
     * {@code :}, then {@code *}. The braces go in after an entry key's last {@code :}, which is at or after that one,
     * so what the pattern's literal beginning matches of a logical key it matches of the stored one too.
     */
    public static String entryPattern(String pattern) {
        int literal = pattern.length();
        for (char special : new char[] {'*', '?', '[', '\\'}) {
            int at = pattern.indexOf(special);
            if (at >= 0 && at < literal) {
                literal = at;
            }
        }
        return pattern.substring(0, pattern.lastIndexOf(':', literal - 1) + 1) + "*";
    }

    static List<byte[]> physical(List<byte[]> keys) {
        List<byte[]> out = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            out.add(physical(key));
        }
        return out;
    }

    /**
     * A script's text with the keys it names itself (the near members' set, key prefixes it compares) tagged. The
     * near caches' channel keeps its name: a channel is not a key, and its subscribers listen under that name.
     */
    static String physicalScript(String text) {
        return text.replace("'sql:", "'sql:" + TAG).replace("'sql:" + TAG + "_near:notices'", "'sql:_near:notices'");
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
