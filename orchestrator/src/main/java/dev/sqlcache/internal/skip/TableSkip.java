package dev.sqlcache.internal.skip;

/**
 * One table's side of the skip protocol in this JVM: whether it holds a permit (a lease on the table's version
 * keys that stands for every write it lets skip), until when that permit is valid on the local clock, and how many
 * skipping writes are in flight under it. Written by the guard's background thread; read on the write path.
 */
final class TableSkip {

    /** {@code sql:<table>:version:<database hash>}: the table's token, and the prefix of all its other keys. */
    final String tableKey;
    final String baseName;
    final String cachersKey;
    /** The table's three tokens and the database's write sequence: what the permit leases and a lapse bumps. */
    final String[] leaseKeys;
    final String[] tokenKeys;
    /**
     * The permit's generation: a new one whenever a permit is granted, found lost or released with writes still
     * open, so a write ending under another one bumps. Null before the first grant.
     */
    volatile SkipGeneration generation;
    volatile boolean granted;
    /**
     * Revoked, unwanted or lost: no new write may skip; the permit ends once none is in flight, or is released
     * writeLease after it began closing with writes still open.
     */
    volatile boolean closing;
    /** Local monotonic time at which the permit began closing; background thread only. */
    long closingSinceNanos;
    volatile boolean lost;
    /** Local monotonic time before which the permit's lease certainly still stands in the store. */
    volatile long validUntilNanos;
    /** Until when this JVM wants to cache the table (it met a skip lease on it while it had the table on). */
    volatile long cacheWantedUntilNanos;
    /** Whether this JVM wrote the table since the protocol became active here (only such tables ask for permits). */
    volatile boolean written;
    /**
     * Local monotonic time of the table's latest write here (leased or skipping), to {@link SkipGuard}'s resolution:
     * a permit stands only while writes come, since it keeps the table from every JVM that caches it.
     */
    volatile long writtenNanos;
    /**
     * The write time {@link #writtenNanos} held before its latest move (far in the past until the second): a permit
     * is asked for only when two writes came within the idle window, since one granted after a lone write stands
     * with no write to stand for (that write took its own lease before the permit came).
     */
    volatile long previousWrittenNanos;
    /**
     * Closed (not null) while the background grants this table a permit: this JVM's new leased writes of the table
     * wait for it to open (bounded), so that the grant's lease is not overlapped by this JVM's own writes. Counted
     * down when the grant is over, granted or not.
     */
    volatile java.util.concurrent.CountDownLatch gate;
    /**
     * Local monotonic time before which a store answering LEASED does not close the gate again: the last gated round
     * found a lease that was not this JVM's (another JVM's permit or write, a transaction), or could not wait out
     * this JVM's own. Background thread only.
     */
    long gateAgainNanos;

    TableSkip(String tableKey, String baseName, String sequenceKey, long now) {
        this.tableKey = tableKey;
        this.baseName = baseName;
        this.cachersKey = tableKey + ":cachers";
        this.tokenKeys = new String[] {tableKey, tableKey + ":rows", tableKey + ":inserts"};
        this.leaseKeys = new String[] {tableKey, tableKey + ":rows", tableKey + ":inserts", sequenceKey};
        this.validUntilNanos = now;
        this.cacheWantedUntilNanos = now;
        this.writtenNanos = now;
        this.gateAgainNanos = now;
        this.previousWrittenNanos = now - NEVER_NANOS;
    }

    /** How far back "never" is (an hour: far beyond any idle window, far from overflow). */
    private static final long NEVER_NANOS = 3_600_000_000_000L;

    /** A write to the table begins now: written at most {@code resolution} ago from here on. */
    void wrote(long now, long resolution) {
        if (!written) {
            // The first write: whatever writtenNanos held (the table may have been known from a read) was no write.
            previousWrittenNanos = now - NEVER_NANOS;
            writtenNanos = now;
            written = true;
            return;
        }
        // Every writing thread shares these fields: written now and then, not at every write.
        long latest = writtenNanos;
        if (now - latest > resolution) {
            previousWrittenNanos = latest;
            writtenNanos = now;
        }
    }

    /** Whether the latest write here began less than {@code idle} before {@code now}. */
    boolean writtenWithin(long idle, long now) {
        return written && now - writtenNanos < idle;
    }

    /**
     * Whether two writes here (at least the resolution apart) began less than {@code idle} before {@code now}: a
     * pace at which a permit granted now would likely let a write skip before it is given up.
     */
    boolean writtenTwiceWithin(long idle, long now) {
        return writtenWithin(idle, now) && now - previousWrittenNanos < idle;
    }

    /** Whether a write may start skipping now. */
    boolean usable(long now) {
        return granted && !closing && now - validUntilNanos < 0;
    }

    /** Whether a write that started skipping under {@code generationAtStart} is still covered now. */
    boolean covered(SkipGeneration generationAtStart, long now) {
        return generation == generationAtStart && now - validUntilNanos < 0;
    }

    /** Whether the version key is one of this table's ({@code T}, {@code T:rows}, {@code T:inserts}, {@code T:k:...}). */
    boolean owns(String versionKey) {
        int n = tableKey.length();
        return versionKey.startsWith(tableKey) && (versionKey.length() == n || versionKey.charAt(n) == ':');
    }
}
