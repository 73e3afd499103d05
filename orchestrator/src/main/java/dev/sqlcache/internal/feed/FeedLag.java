package dev.sqlcache.internal.feed;

/**
 * How far behind the database the change feed of this JVM is: the age of the newest heartbeat it has applied, when
 * it applied it. Only the JVM that consumes knows it; the others report none.
 */
public final class FeedLag {

    private volatile long lagMillis = -1;
    private volatile long appliedAtNanos;

    void applied(long sentNanos, long nowNanos) {
        lagMillis = Math.max(0, (nowNanos - sentNanos) / 1_000_000);
        appliedAtNanos = nowNanos;
    }

    void stopped() {
        lagMillis = -1;
    }

    /**
     * The lag at the last applied heartbeat plus the time since, in milliseconds: what an outside commit waits at
     * most to be invalidated right now; -1 when this JVM does not consume.
     */
    public long millis() {
        long lag = lagMillis;
        return lag < 0 ? -1 : lag + (System.nanoTime() - appliedAtNanos) / 1_000_000;
    }
}
