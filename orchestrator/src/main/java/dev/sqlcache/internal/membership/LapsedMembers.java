package dev.sqlcache.internal.membership;

import dev.sqlcache.internal.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tells a member that died from one that is cut off from the store, through the databases it registered
 * ({@link DatabaseRegistration}), and drops the dead one at once instead of after {@code sqlcache.fenceTimeout}.
 * Off the renewal thread (a slow database must not delay this JVM's own renewals), at most one check in flight,
 * and each lapsed member tried at most once per {@link #RETRY_MILLIS}. Anything it cannot tell (a database this JVM
 * does not reach, an unlockable registration, a failure) keeps the member: it then lapses into fenceTimeout as
 * before.
 */
public final class LapsedMembers {

    private static final Logger LOG = LoggerFactory.getLogger(LapsedMembers.class);
    static final long RETRY_MILLIS = 1000;

    /** The databases this JVM reaches, for the checks. */
    public interface Databases {
        /** Whether this JVM can check sessions on this registered database. */
        boolean reaches(String database);

        /**
         * Whether no session holds the member's shared lock on the database now: the exclusive lock was taken (and
         * released at once). False when it cannot tell.
         */
        boolean sessionsGone(String database, int classId, int key);

        /**
         * Whether {@link #sessionsGone} holds for every one of {@code entries}: asked once per check, so that a
         * database whose connections each registered an entry of their own (MariaDB) can answer for all of them in
         * one statement. Stops at the first entry not gone.
         */
        default boolean allSessionsGone(Set<String> entries, int classId, int key) {
            for (String entry : entries) {
                if (!sessionsGone(entry, classId, key)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final MembershipStore store;
    private final Databases databases;
    private final Executor executor;
    private final Clock clock;
    private final String description;
    private final Map<String, Long> triedNanos = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();

    public LapsedMembers(MembershipStore store, Databases databases, Executor executor, Clock clock,
                         String description) {
        this.store = store;
        this.databases = databases;
        this.executor = executor;
        this.clock = clock;
        this.description = description;
    }

    /** After an answered renewal: the members as it reported them, at the store-clock time it ran. Cheap. */
    void consider(String self, Map<String, Long> members, long at) {
        triedNanos.keySet().retainAll(members.keySet());
        List<Map.Entry<String, Long>> lapsed = null;
        long now = clock.nanoTime();
        for (Map.Entry<String, Long> member : members.entrySet()) {
            if (member.getValue() > at || member.getKey().equals(self)) {
                continue;
            }
            Long tried = triedNanos.get(member.getKey());
            if (tried != null && now - tried < TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS)) {
                continue;
            }
            if (lapsed == null) {
                lapsed = new ArrayList<>();
            }
            lapsed.add(Map.entry(member.getKey(), member.getValue()));
        }
        if (lapsed == null || !running.compareAndSet(false, true)) {
            return;
        }
        for (Map.Entry<String, Long> member : lapsed) {
            triedNanos.put(member.getKey(), now);
        }
        List<Map.Entry<String, Long>> candidates = lapsed;
        try {
            executor.execute(() -> {
                try {
                    candidates.forEach(member -> check(member.getKey(), member.getValue()));
                } finally {
                    running.set(false);
                }
            });
        } catch (RejectedExecutionException closing) {
            running.set(false);
        }
    }

    private void check(String member, long lapse) {
        try {
            String registration = store.registration(member);
            if (registration == null || !DatabaseRegistration.lockable(registration)) {
                return;
            }
            Set<String> registered = DatabaseRegistration.entries(registration);
            for (String database : registered) {
                if (!databases.reaches(database)) {
                    return;
                }
            }
            int key = DatabaseRegistration.lockKey(member);
            if (!databases.allSessionsGone(registered, DatabaseRegistration.LOCK_CLASS, key)) {
                return;
            }
            if (store.dropIfStillLapsed(member, lapse)) {
                LOG.info("sqlcache: dropped a lapsed member of {}: none of its database sessions is left, so it "
                        + "stopped (the cache comes back without waiting for sqlcache.fenceTimeout)", description);
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("sqlcache: checking a lapsed member of {} failed: {}", description, e.toString());
        }
    }
}
