package dev.sqlcache.internal.membership;

import dev.sqlcache.internal.store.VersionTokens;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Membership for the in-process store: the protocol of the Redis scripts ({@code lua/renew.lua} and friends),
 * step for step, in Java, on the store's own clock. Nothing else shares an in-process store, so in production it
 * only ever sees one member; it is complete so that the engine's membership, fence and lapse rules can be tested
 * with several members and a clock the test advances.
 */
public final class InMemoryMembershipStore implements MembershipStore {

    /** The part of the in-process store the fence lives in: its version keys, which may carry an expiry. */
    public interface Keyspace {
        /** The current value, or null when absent or expired. */
        String get(String key);

        /** Sets a value that expires at {@code deadlineMillis} (store clock), or never when it is {@code 0}. */
        void set(String key, String value, long deadlineMillis);

        /** Changes only the expiry of an existing key ({@code 0}: never). */
        void expire(String key, long deadlineMillis);

        void delete(String key);

        /** The store's clock, in milliseconds; always positive. */
        long nowMillis();

        /** The lock under which the store changes its version keys. */
        Object lock();
    }

    private final Keyspace keyspace;
    /** Stands in for Redis's run id: the in-process store never restarts, so one value for its life. */
    private final String runId = VersionTokens.fresh();
    private final Map<String, Long> members = new HashMap<>();
    private final Map<String, Long> tickets = new HashMap<>();
    /** The set's epoch; null once the set is lost (only {@link #forget()} loses it here). */
    private String epoch;

    public InMemoryMembershipStore(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    @Override
    public void joinTicket(String ticket, long ticketMillis) {
        synchronized (keyspace.lock()) {
            tickets.put(ticket, keyspace.nowMillis() + Math.max(1, ticketMillis));
        }
    }

    @Override
    public Renewal renew(String member, String joinTicket, long memberMillis, long fenceMillis, long notAfter,
                         String rememberedEpoch, String registration) {
        synchronized (keyspace.lock()) {
            if (rememberedEpoch != null && !rememberedEpoch.isEmpty() && !rememberedEpoch.equals(epoch)) {
                return new Renewal(Renewal.RESTORE, null, Map.of());
            }
            long at = keyspace.nowMillis();
            members.values().removeIf(lapse -> lapse <= at - fenceMillis);
            tickets.values().removeIf(deadline -> deadline <= at);
            long lapse = at + memberMillis;
            if (joinTicket != null) {
                if (tickets.remove(joinTicket) == null) {
                    return new Renewal(Renewal.LAPSED, null, Map.of());
                }
            } else {
                Long score = members.get(member);
                if (score == null || score <= at) {
                    fence(at);
                    return new Renewal(Renewal.LAPSED, null, Map.of());
                }
                if (notAfter > 0 && notAfter < lapse) {
                    lapse = notAfter;
                }
                if (score > lapse) {
                    lapse = score;
                }
            }
            members.put(member, lapse);
            if (epoch == null) {
                epoch = "epoch:" + VersionTokens.fresh();
            }
            fence(at);
            return new Renewal(at, epoch, new LinkedHashMap<>(members));
        }
    }

    /** The fence lives until the earliest membership lapses, and not at all while a lapsed member remains. */
    private void fence(long at) {
        String current = keyspace.get(FENCE_KEY);
        if (current != null && !current.startsWith(runId + ":")) {
            keyspace.delete(FENCE_KEY);
        }
        long earliest = Long.MAX_VALUE;
        for (long lapse : members.values()) {
            earliest = Math.min(earliest, lapse);
        }
        if (earliest == Long.MAX_VALUE) {
            keyspace.expire(FENCE_KEY, 0);
            return;
        }
        if (earliest <= at) {
            keyspace.delete(FENCE_KEY);
            return;
        }
        if (keyspace.get(FENCE_KEY) == null) {
            keyspace.set(FENCE_KEY, runId + ":" + VersionTokens.fresh(), earliest);
        } else {
            keyspace.expire(FENCE_KEY, earliest);
        }
    }

    @Override
    public String restoreMembers(String rememberedEpoch, Map<String, Long> remembered) {
        synchronized (keyspace.lock()) {
            keyspace.delete(FENCE_KEY);
            remembered.forEach(members::putIfAbsent);
            if (epoch == null) {
                epoch = rememberedEpoch;
            }
            return epoch;
        }
    }

    @Override
    public void leave(String member) {
        synchronized (keyspace.lock()) {
            members.remove(member);
            fence(keyspace.nowMillis());
        }
    }

    /** Loses the set, as a Redis restart without persistence would (for tests of what members then do). */
    public void forget() {
        synchronized (keyspace.lock()) {
            members.clear();
            tickets.clear();
            epoch = null;
            keyspace.delete(FENCE_KEY);
        }
    }
}
