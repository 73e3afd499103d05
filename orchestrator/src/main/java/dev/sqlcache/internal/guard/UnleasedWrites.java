package dev.sqlcache.internal.guard;

import dev.sqlcache.internal.membership.Membership;
import dev.sqlcache.internal.store.CacheStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The writes of this JVM that run without a lease in the store (it failed and this JVM's membership lapsed for
 * certain, or it never joined), from their decision to skip the lease until their end is delivered or owed; and
 * the gate of every join, which places their leases before this JVM joins again.
 *
 * <p>Why: such a write relies on the fence being down until its end is in Redis. A JVM that owes an end does not
 * join, but a write still running owes nothing yet: if the JVM joined then, the fence would come back and other JVMs
 * could cache its tables under plain tokens while it is in flight, and a snapshot taken between its database commit
 * and its end could mix an entry from before it with database reads after it. With its lease placed before the
 * join, the write is, from the moment the fence is back, what every other write is: leased from before any entry of
 * its tables can be served until its end (docs/consistency.md, "An unleased write across a rejoin").
 *
 * <p>One lock orders three things: a write's decision to run unleased with its registration here, a join's gate,
 * and the delivery (or owing) of a registered write's end with its removal from here. A join first announces itself
 * ({@link Membership}: from then on no write finds the membership lapsed), then takes the lock: a write that decided
 * before it is registered and leased; one deciding after it sees the announcement and leases as usual. An end
 * delivered under the lock is never followed by the gate's lease of the same token (which would keep the tables
 * leased until the lease lapses); an end owed under the lock makes the gate refuse the join.
 */
public final class UnleasedWrites implements Membership.JoinGate {

    private static final Logger LOG = LoggerFactory.getLogger(UnleasedWrites.class);

    /** A registered lease: its version key and how long it lasts once placed. */
    private record Pending(String key, long leaseMillis) {
    }

    private final CacheStore store;
    private final OwedInvalidations owed;
    /** Lease token (unique per key: {@code VersionTokens.freshLease()}) to what it leases. Guarded by itself. */
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    /** Whether anything is registered: the only check on the path of a write that has nothing here. */
    private volatile boolean any;
    /** Joins refused because a registered write's lease could not be placed (or an end was owed meanwhile). */
    private volatile long refusedJoins;

    public UnleasedWrites(CacheStore store, OwedInvalidations owed) {
        this.store = store;
        this.owed = owed;
    }

    /**
     * Registers a write about to run without its lease, if {@code stillUnleased} says so under the lock (the
     * decision is taken again there, so no join's gate can fall between the decision and the registration).
     *
     * @return whether the write may run unleased (registered); false: it must lease as usual
     */
    boolean register(BooleanSupplier stillUnleased, String[] versionKeys, String[] tokens, long leaseMillis) {
        synchronized (pending) {
            if (!stillUnleased.getAsBoolean()) {
                return false;
            }
            for (int i = 0; i < versionKeys.length; i++) {
                pending.put(tokens[i], new Pending(versionKeys[i], leaseMillis));
            }
            any = true;
            return true;
        }
    }

    /** Whether some write may be registered (a volatile read: a write never registered always finds it false or stale-true). */
    boolean mayHold() {
        return any;
    }

    /**
     * Runs a write's end (its delivery, or its owing) under the lock, then forgets its tokens: until the end has
     * landed or is owed, a join's gate still places the write's lease.
     */
    <T> T ending(String[] tokens, Supplier<T> end) {
        synchronized (pending) {
            T result = end.get();
            forgetLocked(tokens);
            return result;
        }
    }

    /** Forgets tokens replaced by a new lease of the same keys (a transaction's leases placed again). */
    void forget(String[] tokens) {
        if (!any || tokens == null) {
            return;
        }
        synchronized (pending) {
            forgetLocked(tokens);
        }
    }

    private void forgetLocked(String[] tokens) {
        if (tokens != null) {
            for (String token : tokens) {
                if (token != null) {
                    pending.remove(token);
                }
            }
        }
        any = !pending.isEmpty();
    }

    /**
     * Before a join: refuses it while an end is owed (checked again here, under the lock, since an end owed after
     * the membership's own check would otherwise slip in), and places the lease of every registered write, with
     * its own token so that its end removes it. A lease that fails refuses the join: the JVM stays lapsed (the fence
     * stays down) and the next renewal tries again.
     */
    @Override
    public boolean beforeJoin() {
        synchronized (pending) {
            if (!owed.isEmpty()) {
                refusedJoins++;
                return false;
            }
            if (pending.isEmpty()) {
                return true;
            }
            try {
                int writes = pending.size();
                for (Batch batch : batches()) {
                    store.leaseVersions(batch.keys(), batch.tokens(), batch.leaseMillis());
                }
                pending.clear();
                any = false;
                LOG.info("sqlcache: leased {} version keys of writes in flight without a lease before joining again",
                        writes);
                return true;
            } catch (RuntimeException | LinkageError e) {
                // Kept: the lease may have landed (its answer lost); placed again with the same tokens next time.
                refusedJoins++;
                LOG.debug("sqlcache: not joining again yet, the leases of writes in flight failed: {}",
                        e.toString());
                return false;
            }
        }
    }

    /** How many joins were refused: the JVM stayed off the cache (and every other JVM too) meanwhile. */
    public long refusedJoins() {
        return refusedJoins;
    }

    private record Batch(String[] keys, String[] tokens, long leaseMillis) {
    }

    /** One lease call per lease time, a key at most once per call (keys leased by several writes: several calls). */
    private List<Batch> batches() {
        List<Batch> batches = new ArrayList<>();
        Map<String, Pending> left = new LinkedHashMap<>(pending);
        while (!left.isEmpty()) {
            long leaseMillis = left.values().iterator().next().leaseMillis();
            Set<String> keys = new HashSet<>();
            List<String> batchKeys = new ArrayList<>();
            List<String> batchTokens = new ArrayList<>();
            for (Iterator<Map.Entry<String, Pending>> it = left.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Pending> entry = it.next();
                Pending p = entry.getValue();
                if (p.leaseMillis() == leaseMillis && keys.add(p.key())) {
                    batchKeys.add(p.key());
                    batchTokens.add(entry.getKey());
                    it.remove();
                }
            }
            batches.add(new Batch(batchKeys.toArray(String[]::new), batchTokens.toArray(String[]::new), leaseMillis));
        }
        return batches;
    }
}
