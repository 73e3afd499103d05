package dev.sqlcache.stats;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable snapshot of what the cache has done since it started. Obtained from a connection or data source
 * through {@code unwrap(dev.sqlcache.driver.SqlCacheConnection.class).statistics()}.
 *
 * <p>Every read is counted once: as a hit, a miss or a bypass. A miss whose result could not be kept (too large, a
 * type the codec cannot round-trip, read out of order, written by its own transaction meanwhile) stays a miss and
 * is also counted under {@link #rejected()}. An entry found in the cache but refused (corrupt, stored under another
 * key, badly signed, too large) makes the read a miss too, counted under {@link #rejections()} by cause.
 *
 * @param hits          reads answered from the cache
 * @param misses        cacheable reads that went to the database
 * @param stores        results written to the cache after a miss
 * @param bypasses      reads and statements that went to the database without the cache, by reason
 * @param invalidations tables (or whole databases) invalidated by writes
 * @param redisErrors   failed calls to the cache store
 * @param rejected      missed results not kept in the cache, by reason
 * @param hitLatency    how long hits took
 * @param missLatency   how long misses took (lookup and query)
 * @param bypassLatency how long bypassed reads took
 * @param tables        counters by table, for at most {@value #MAX_TABLES} tables; the rest under {@value #OTHER_TABLES}
 * @param rejections    entries found in the cache but refused, by cause (each read went to the database and is
 *                      also counted as a miss)
 * @param nearHits      of the hits, those answered from this JVM's near cache (no network call)
 * @param skippedWrites writes that skipped their invalidation: every table they change was cached by no JVM, under
 *                      a skip permit (see docs/consistency.md)
 * @param skipPermits   tables whose writes may skip their invalidation in this JVM now (a gauge: not subtracted
 *                      by {@link #since})
 * @param fenceWaits    times a write waited because Redis could not be told about it: until Redis answered, or
 *                      until this JVM's membership had lapsed for certain so that no JVM could serve what it changed
 *                      (the first write after Redis became unreachable; see docs/consistency.md)
 * @param policy        what the policy switched off and on by measurement
 * @param unreadableFingerprints lock statements a database server refused because of a function the early drop
 *                      reads to name the server database a session reached (its connections register nothing,
 *                      and other JVMs keep this one until sqlcache.fenceTimeout once it stops; see
 *                      docs/consistency.md). Counted by this JVM's membership, shared by every database it reaches
 */
public record CacheStatistics(long hits, long misses, long stores, Map<BypassReason, Long> bypasses,
                              long invalidations, long redisErrors, Map<BypassReason, Long> rejected,
                              Latency hitLatency, Latency missLatency, Latency bypassLatency,
                              Map<String, TableStatistics> tables, Map<EntryRejection, Long> rejections,
                              long nearHits, long skippedWrites, int skipPermits, long fenceWaits,
                              PolicySwitches policy, long unreadableFingerprints) {

    /** How many tables are counted one by one; beyond, they share {@link #OTHER_TABLES}. */
    public static final int MAX_TABLES = 200;

    /** The name under which tables beyond {@link #MAX_TABLES} are counted. */
    public static final String OTHER_TABLES = "(other)";

    public CacheStatistics {
        bypasses = copy(bypasses);
        rejected = copy(rejected);
        hitLatency = hitLatency == null ? Latency.NONE : hitLatency;
        missLatency = missLatency == null ? Latency.NONE : missLatency;
        bypassLatency = bypassLatency == null ? Latency.NONE : bypassLatency;
        tables = Collections.unmodifiableMap(new TreeMap<>(tables == null ? Map.of() : tables));
        EnumMap<EntryRejection, Long> causes = new EnumMap<>(EntryRejection.class);
        if (rejections != null) {
            causes.putAll(rejections);
        }
        rejections = Collections.unmodifiableMap(causes);
        policy = policy == null ? PolicySwitches.NONE : policy;
    }

    /** The figures of the previous version, without refused fingerprints. */
    public CacheStatistics(long hits, long misses, long stores, Map<BypassReason, Long> bypasses,
                           long invalidations, long redisErrors, Map<BypassReason, Long> rejected,
                           Latency hitLatency, Latency missLatency, Latency bypassLatency,
                           Map<String, TableStatistics> tables, Map<EntryRejection, Long> rejections,
                           long nearHits, long skippedWrites, int skipPermits, long fenceWaits,
                           PolicySwitches policy) {
        this(hits, misses, stores, bypasses, invalidations, redisErrors, rejected, hitLatency, missLatency,
                bypassLatency, tables, rejections, nearHits, skippedWrites, skipPermits, fenceWaits, policy, 0);
    }

    /** The figures of an earlier version, without the policy's switches. */
    public CacheStatistics(long hits, long misses, long stores, Map<BypassReason, Long> bypasses,
                           long invalidations, long redisErrors, Map<BypassReason, Long> rejected,
                           Latency hitLatency, Latency missLatency, Latency bypassLatency,
                           Map<String, TableStatistics> tables, Map<EntryRejection, Long> rejections,
                           long nearHits, long skippedWrites, int skipPermits, long fenceWaits) {
        this(hits, misses, stores, bypasses, invalidations, redisErrors, rejected, hitLatency, missLatency,
                bypassLatency, tables, rejections, nearHits, skippedWrites, skipPermits, fenceWaits, null);
    }

    /** The figures of an earlier version, without fence waits. */
    public CacheStatistics(long hits, long misses, long stores, Map<BypassReason, Long> bypasses,
                           long invalidations, long redisErrors, Map<BypassReason, Long> rejected,
                           Latency hitLatency, Latency missLatency, Latency bypassLatency,
                           Map<String, TableStatistics> tables, Map<EntryRejection, Long> rejections,
                           long nearHits, long skippedWrites, int skipPermits) {
        this(hits, misses, stores, bypasses, invalidations, redisErrors, rejected, hitLatency, missLatency,
                bypassLatency, tables, rejections, nearHits, skippedWrites, skipPermits, 0);
    }

    /** The figures of the version before skip permits and fence waits. */
    public CacheStatistics(long hits, long misses, long stores, Map<BypassReason, Long> bypasses,
                           long invalidations, long redisErrors, Map<BypassReason, Long> rejected,
                           Latency hitLatency, Latency missLatency, Latency bypassLatency,
                           Map<String, TableStatistics> tables, Map<EntryRejection, Long> rejections,
                           long nearHits) {
        this(hits, misses, stores, bypasses, invalidations, redisErrors, rejected, hitLatency, missLatency,
                bypassLatency, tables, rejections, nearHits, 0, 0, 0);
    }

    /** The figures of an earlier version, without near hits. */
    public CacheStatistics(long hits, long misses, long stores, Map<BypassReason, Long> bypasses,
                           long invalidations, long redisErrors, Map<BypassReason, Long> rejected,
                           Latency hitLatency, Latency missLatency, Latency bypassLatency,
                           Map<String, TableStatistics> tables, Map<EntryRejection, Long> rejections) {
        this(hits, misses, stores, bypasses, invalidations, redisErrors, rejected, hitLatency, missLatency,
                bypassLatency, tables, rejections, 0);
    }

    /** The figures of an earlier version, without refused entries. */
    public CacheStatistics(long hits, long misses, long stores, Map<BypassReason, Long> bypasses,
                           long invalidations, long redisErrors, Map<BypassReason, Long> rejected,
                           Latency hitLatency, Latency missLatency, Latency bypassLatency,
                           Map<String, TableStatistics> tables) {
        this(hits, misses, stores, bypasses, invalidations, redisErrors, rejected, hitLatency, missLatency,
                bypassLatency, tables, Map.of());
    }

    /** The counters of earlier versions, with no rejections, latencies or tables. */
    public CacheStatistics(long hits, long misses, long stores, Map<BypassReason, Long> bypasses, long invalidations,
                           long redisErrors) {
        this(hits, misses, stores, bypasses, invalidations, redisErrors, Map.of(), Latency.NONE, Latency.NONE,
                Latency.NONE, Map.of(), Map.of());
    }

    /** Refused entries for one cause. */
    public long rejections(EntryRejection cause) {
        return rejections.getOrDefault(cause, 0L);
    }

    /** Refused entries for any cause. */
    public long totalRejections() {
        return rejections.values().stream().mapToLong(Long::longValue).sum();
    }

    private static Map<BypassReason, Long> copy(Map<BypassReason, Long> counts) {
        EnumMap<BypassReason, Long> copy = new EnumMap<>(BypassReason.class);
        if (counts != null) {
            copy.putAll(counts);
        }
        return Collections.unmodifiableMap(copy);
    }

    /** Reads that passed through for any reason. */
    public long totalBypasses() {
        return bypasses.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Passed-through count for one reason. */
    public long bypasses(BypassReason reason) {
        return bypasses.getOrDefault(reason, 0L);
    }

    /** Missed results not kept for one reason. */
    public long rejected(BypassReason reason) {
        return rejected.getOrDefault(reason, 0L);
    }

    /** The counters of one table (unqualified lower-case name as in the cache keys); zeros when never met. */
    public TableStatistics table(String name) {
        return tables.getOrDefault(name, TableStatistics.NONE);
    }

    /** Hits divided by cacheable reads (hits plus misses); 0 when there were none. */
    public double hitRatio() {
        long reads = hits + misses;
        return reads == 0 ? 0.0 : (double) hits / reads;
    }

    /** The difference between this snapshot and an earlier one, for measuring one stretch of work. */
    public CacheStatistics since(CacheStatistics earlier) {
        Map<String, TableStatistics> tableDelta = new LinkedHashMap<>();
        tables.forEach((name, now) -> {
            TableStatistics d = now.since(earlier.table(name));
            if (!d.isEmpty()) {
                tableDelta.put(name, d);
            }
        });
        return new CacheStatistics(hits - earlier.hits, misses - earlier.misses, stores - earlier.stores,
                delta(bypasses, earlier.bypasses), invalidations - earlier.invalidations,
                redisErrors - earlier.redisErrors, delta(rejected, earlier.rejected),
                hitLatency.since(earlier.hitLatency), missLatency.since(earlier.missLatency),
                bypassLatency.since(earlier.bypassLatency), tableDelta, refusedSince(earlier),
                nearHits - earlier.nearHits, skippedWrites - earlier.skippedWrites, skipPermits,
                fenceWaits - earlier.fenceWaits, policy.since(earlier.policy),
                unreadableFingerprints - earlier.unreadableFingerprints);
    }

    private Map<EntryRejection, Long> refusedSince(CacheStatistics earlier) {
        EnumMap<EntryRejection, Long> refused = new EnumMap<>(EntryRejection.class);
        for (EntryRejection cause : EntryRejection.values()) {
            long d = rejections(cause) - earlier.rejections(cause);
            if (d != 0) {
                refused.put(cause, d);
            }
        }
        return refused;
    }

    private static Map<BypassReason, Long> delta(Map<BypassReason, Long> now, Map<BypassReason, Long> earlier) {
        EnumMap<BypassReason, Long> delta = new EnumMap<>(BypassReason.class);
        for (BypassReason reason : BypassReason.values()) {
            long d = now.getOrDefault(reason, 0L) - earlier.getOrDefault(reason, 0L);
            if (d != 0) {
                delta.put(reason, d);
            }
        }
        return delta;
    }
}
