package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.store.CacheStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The live runtimes of this class loader, one per {@link RuntimeKey}, so that every connection of a pool, and every
 * pool with the same store settings, shares one connection pool, one membership and one thread. A runtime lives
 * while anything holds it ({@link #acquire}/{@link #release}): a driver registered with {@code DriverManager}, a
 * data source until it is closed, each open connection. A JVM shutdown hook closes what is still open (leaving the
 * membership cleanly); it is installed while any runtime lives and removed with the last one, so that an
 * undeployed application's class loader is not pinned by it.
 */
public final class CacheRuntimes {

    private static final Logger LOG = LoggerFactory.getLogger(CacheRuntimes.class);
    private static final Map<RuntimeKey, CacheRuntime> LIVE = new ConcurrentHashMap<>();
    private static final Object HOOK_LOCK = new Object();
    /**
     * How long the exit waits for the application to close its connections before closing the runtimes: Spring
     * closes its pool in its own shutdown hook, which runs at the same time; a JVM that never closes a connection
     * exits this much later.
     */
    static final long EXIT_GRACE_MILLIS = 2_000;
    private static Thread shutdownHook;

    private CacheRuntimes() {
    }

    /**
     * A started runtime for the configuration's store, with one more reference taken: the caller must
     * {@link #release} it exactly once. Creating a runtime does no I/O inside the registry's map; starting it (one
     * round trip to join the membership) happens outside, once.
     */
    public static CacheRuntime acquire(SqlCacheConfig config) {
        RuntimeKey key = RuntimeKey.of(config);
        while (true) {
            CacheRuntime runtime = LIVE.computeIfAbsent(key, k -> new CacheRuntime(k, CacheStores.open(config)));
            if (runtime.retain()) {
                installHook();
                runtime.start();
                return runtime;
            }
            // Closing under us: replace it.
            LIVE.remove(key, runtime);
        }
    }

    /** Drops a reference; the last one closes the runtime. */
    public static void release(CacheRuntime runtime) {
        if (runtime.release()) {
            LIVE.remove(runtime.key(), runtime);
            try {
                runtime.close();
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("sqlcache: closing {} failed: {}", runtime, e.toString());
            }
            removeHookIfIdle();
        }
    }

    /** How many runtimes are open, for tests and diagnostics. */
    public static int live() {
        return LIVE.size();
    }

    private static void installHook() {
        synchronized (HOOK_LOCK) {
            if (shutdownHook == null) {
                Thread hook = new Thread(CacheRuntimes::closeAll, "sqlcache-shutdown");
                hook.setContextClassLoader(null);
                try {
                    Runtime.getRuntime().addShutdownHook(hook);
                    shutdownHook = hook;
                } catch (IllegalStateException shuttingDown) {
                    // Too late for a hook; nothing to leave cleanly.
                }
            }
        }
    }

    private static void removeHookIfIdle() {
        synchronized (HOOK_LOCK) {
            if (LIVE.isEmpty() && shutdownHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running or about to.
                }
                shutdownHook = null;
            }
        }
    }

    /**
     * JVM exit: every runtime leaves its membership cleanly, whoever still holds it. A runtime with a connection
     * still open lapses instead of leaving (docs/consistency.md, "A leave with connections open"), which keeps the
     * cache off in the other JVMs until it is dropped; but an application's own hooks run at the same time as this
     * one and usually close its pool within moments, so the runtimes first get {@link #EXIT_GRACE_MILLIS} for their
     * connections to close, working as before meanwhile.
     */
    private static void closeAll() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_GRACE_MILLIS);
        for (CacheRuntime runtime : new ArrayList<>(LIVE.values())) {
            try {
                runtime.awaitConnectionsClosed(deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<CacheRuntime> open = new ArrayList<>(LIVE.values());
        LIVE.clear();
        for (CacheRuntime runtime : open) {
            try {
                runtime.close();
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("sqlcache: closing {} at exit failed: {}", runtime, e.toString());
            }
        }
    }
}
