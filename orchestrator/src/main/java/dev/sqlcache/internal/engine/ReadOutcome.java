package dev.sqlcache.internal.engine;

import dev.sqlcache.stats.BypassReason;

/** What the cache decided for one read: serve an entry, run the query and maybe store it, or stay out of the way. */
sealed interface ReadOutcome permits QueryOutcome.Hit, ReadOutcome.Miss, ReadOutcome.Bypass {

    // A hit is the QueryOutcome.Hit handed to the proxy itself: one object per hit instead of two, and none for a
    // near hit, whose copy keeps its own (NearCache.Copy#outcome).

    /**
     * Run the query; the result may be stored under {@code key} once it has been read completely. The tokens are
     * the versions read <em>before</em> the query ran, so a write that lands meanwhile makes the entry invalid.
     * With a near cache, {@code nearTag} is what it knew before the lookup, and a copy lives until
     * {@code copyUntilNanos} at most. {@code flight} is set when this miss leads others of the same entry
     * ({@link Flights}): it must end it, whatever happens.
     */
    record Miss(QueryPlan plan, String key, String[] versionKeys, String[] tokens, long ttlSeconds,
                long transactionEpoch, boolean pinsSnapshot, dev.sqlcache.internal.near.NearCache.Tag nearTag,
                long copyUntilNanos, Flights.Flight flight)
            implements ReadOutcome {
    }

    /** Run the query on the database only. */
    record Bypass(BypassReason reason) implements ReadOutcome {

        private static final Bypass[] BY_REASON = new Bypass[BypassReason.values().length];

        static {
            for (BypassReason reason : BypassReason.values()) {
                BY_REASON[reason.ordinal()] = new Bypass(reason);
            }
        }

        /** The shared instance for a reason; a bypass allocates nothing. */
        static Bypass of(BypassReason reason) {
            return BY_REASON[reason.ordinal()];
        }
    }
}
