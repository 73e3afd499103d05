package dev.sqlcache.internal.store;

import java.util.Arrays;
import redis.clients.jedis.args.Rawable;

/**
 * A command argument that Jedis sends as it is. Jedis wraps every {@code byte[]} or {@code String} argument in a
 * copy of its bytes; a lookup sends its entry key three times and a dozen version keys on every hit, and the copies
 * were a tenth of a hit's client time (docs/performance.md). The array must not change after it is handed over:
 * callers pass bytes they made for this command and keep no other reference that writes to them.
 */
final class SharedBytes implements Rawable {

    private final byte[] raw;

    SharedBytes(byte[] raw) {
        this.raw = raw;
    }

    @Override
    public byte[] getRaw() {
        return raw;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SharedBytes that && Arrays.equals(raw, that.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }
}
