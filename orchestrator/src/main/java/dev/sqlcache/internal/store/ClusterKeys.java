package dev.sqlcache.internal.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Where sqlcache's keys live on a Redis Cluster: all in one hash slot, through the hash tag {@value #TAG} put right
 * after {@code sql:} ({@code sql:<table>:data:<hash>} becomes {@code sql:{sqlcache}<table>:data:<hash>}). One slot
 * keeps every script, pipeline and guarantee of the single-server protocol as it is (no command spans slots, and
 * the fence, the tokens and the entries change together on one node), at the price of one master doing all of
 * sqlcache's work. The tag comes before the table's name, so a table whose quoted name holds braces cannot move
 * its keys to another slot (Redis hashes the first {@code {...}} of a key).
 */
public final class ClusterKeys {

    /** The hash tag; the slot every key hashes to is this text's. */
    static final String TAG = "{sqlcache}";
    /** The one slot of sqlcache's keys. */
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
     * The name sqlcache knows a stored key by: {@link #physical} undone. A key without the tag where
     * {@code physical} puts it is not sqlcache's and comes back as it is.
     */
    public static String logical(String stored) {
        int at = stored.startsWith("sql:") ? "sql:".length() : 0;
        return stored.startsWith(TAG, at) ? stored.substring(0, at) + stored.substring(at + TAG.length()) : stored;
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
