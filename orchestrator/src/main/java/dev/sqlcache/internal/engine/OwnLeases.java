package dev.sqlcache.internal.engine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The version keys that this engine's auto-commit writes lease right now, from just before their lease script is
 * sent until their end has returned. A read of this JVM that depends on one of them would find the lease in Redis
 * (or a token the write is about to replace) and pass through: it passes through without asking (issue #13: on the
 * YCSB 90/10 workload about 0.3 lookups per write went to Redis only to find this JVM's own lease, a round trip and
 * four commands each). Passing through is always correct; a key left here by mistake would only cost hits, and every
 * registration is undone in a {@code finally}. Thread-safe; the read side costs one volatile read while no write of
 * this engine is in flight.
 */
final class OwnLeases {

    /** Writes in flight per key (a key two writes of this JVM lease at once stays until both have ended). */
    private final ConcurrentHashMap<String, AtomicInteger> held = new ConcurrentHashMap<>();
    /** Registrations not yet undone: the read side's fast path when nothing is in flight. */
    private final AtomicInteger writes = new AtomicInteger();

    /** Before the lease of {@code keys} is sent. Must be paired with {@link #ended} for the same array. */
    void leasing(String[] keys) {
        writes.incrementAndGet();
        for (String key : keys) {
            held.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** After the end of the write that {@link #leasing} registered has returned (or its lease failed). */
    void ended(String[] keys) {
        for (String key : keys) {
            held.computeIfPresent(key, (k, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
        writes.decrementAndGet();
    }

    /** Whether a write of this engine leases one of {@code keys} right now. */
    boolean anyOf(String[] keys) {
        if (writes.get() == 0) {
            return false;
        }
        for (String key : keys) {
            if (held.containsKey(key)) {
                return true;
            }
        }
        return false;
    }
}
