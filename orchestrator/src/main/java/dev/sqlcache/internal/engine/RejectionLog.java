package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.stats.EntryRejection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about refused cache entries, at most once per interval: a refused entry is always a miss and never an
 * error, but it means something other than sqlcache wrote under a cache key (or another environment shares the
 * keys), which an operator should hear about without a log line per query. Names the key and the cause, never a
 * value. Thread-safe.
 */
final class RejectionLog {

    private static final Logger LOG = LoggerFactory.getLogger(RejectionLog.class);
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Clock clock;
    private final AtomicLong nextWarning;
    private final AtomicLong suppressed = new AtomicLong();

    RejectionLog(Clock clock) {
        this.clock = clock;
        this.nextWarning = new AtomicLong(clock.nanoTime());
    }

    void rejected(EntryRejection cause, String key, String detail) {
        long now = clock.nanoTime();
        long due = nextWarning.get();
        if (now - due < 0 || !nextWarning.compareAndSet(due, now + INTERVAL_NANOS)) {
            suppressed.incrementAndGet();
            LOG.debug("sqlcache: refused the cache entry {} ({}: {}), read from the database", key, cause, detail);
            return;
        }
        long others = suppressed.getAndSet(0);
        LOG.warn("sqlcache: refused the cache entry {} ({}: {}) and read from the database instead; {} other "
                        + "entries refused since the last warning. Something other than sqlcache writes to its keys, "
                        + "or another database or environment shares them: see \"Securing Redis\" in the docs.",
                key, cause, detail, others);
    }
}
