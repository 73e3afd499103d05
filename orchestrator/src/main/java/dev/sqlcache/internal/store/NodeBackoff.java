package dev.sqlcache.internal.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Per-node back-off for the entries' masters of a Redis Cluster: after a node failed, its lookups and stores are not
 * tried for a while (250 ms, doubling to 5 s, as {@code FailOpen} does for the whole store), so that a frozen node
 * costs at most one timeout per period, while the other nodes' entries are still served. The control node's
 * failures are not counted here: they are the store's, and go to the fail-open guard.
 */
final class NodeBackoff {

    private static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** When each node failing now may be tried again, and its current back-off. Replaced whole, never changed. */
    private record Down(long retryAtNanos, long backoffNanos) {
    }

    private final ConcurrentHashMap<Object, Down> down = new ConcurrentHashMap<>();
    /** Whether any node is down: the common case (none) costs one volatile read, no hashing. */
    private volatile boolean anyDown;

    /** Whether {@code node} is in its back-off now. */
    boolean skip(Object node) {
        if (!anyDown) {
            return false;
        }
        Down d = down.get(node);
        return d != null && System.nanoTime() - d.retryAtNanos < 0;
    }

    void failed(Object node) {
        long now = System.nanoTime();
        down.compute(node, (k, d) -> {
            long backoff = d == null ? MIN_NANOS : Math.min(MAX_NANOS, d.backoffNanos * 2);
            return new Down(now + backoff, backoff);
        });
        anyDown = true;
    }

    void succeeded(Object node) {
        if (anyDown && down.remove(node) != null && down.isEmpty()) {
            anyDown = false;
        }
    }
}
