package dev.sqlcache.internal.store;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.providers.ConnectionProvider;

/**
 * The connections to one fixed Redis address (TCP or Unix socket), lent one command (or one pipeline) at a time.
 *
 * <p>Why not Jedis's {@code PooledConnectionProvider}: commons-pool2 takes a lock of its {@code LinkedBlockingDeque}
 * on every borrow and every return, reads {@code Instant.now()} several times per lend for statistics nobody here
 * reads, and tracks each object's state in a wrapper; no setting turns that off, and it was about 15% of the JVM's
 * CPU on a Redis hit (docs/performance.md). Here an idle connection sits in one of {@code maxConnections} slots
 * taken and filled by compare-and-set, scanned from the first (so the same few connections stay warm, as a LIFO
 * would keep them), and a borrow or a return allocates nothing.
 *
 * <p>What it keeps of the pool it replaces: at most {@code maxConnections} lent at once (a {@link Semaphore}, whose
 * uncontended acquire and release are one compare-and-set each), a wait for a free one bounded by {@code maxWaitMillis}
 * (the connect timeout: the cache must never stall a query) that then fails with a {@link JedisException}, not a
 * {@code JedisConnectionException}, so that {@link RedisCommands} does not take it for a dead connection and wait
 * again; a connection Jedis marked broken is closed, never lent again; {@link #clearIdleConnections} closes every
 * idle one (after a server restart they are all dead); {@link #close} closes everything and refuses to lend after.
 * No test on borrow (a PING per command would double the round trips) and no idle eviction (a timer thread that
 * would outlive an undeploy), as before.
 *
 * <p>What it keeps that commons-pool2 did not (review rA): never more than {@code maxConnections} sockets at once,
 * idle ones and ones still closing included (a connection is counted from before it connects until it has
 * disconnected, and a borrower opens one only within that count); and a loan ends only by a close from the thread
 * that borrowed it (see {@link Lent#close}).
 */
final class LeanConnectionPool implements ConnectionProvider {

    private final JedisSocketFactory sockets;
    private final JedisClientConfig clientConfig;
    private final int maxConnections;
    private final long maxWaitNanos;
    /** One permit per connection that may be lent at once. */
    private final Semaphore lendable;
    /** Idle connections; {@code null} is a free slot. Never more idle than slots: at most one per permit. */
    private final AtomicReferenceArray<Lent> idle;
    /**
     * Connections open, lent or idle, counted from before a socket connects until after it disconnected: never more
     * than {@code maxConnections}, which bounds the sockets (Redis's {@code maxclients} is shared by every JVM).
     */
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;

    LeanConnectionPool(JedisSocketFactory sockets, JedisClientConfig clientConfig, int maxConnections,
                       long maxWaitMillis) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
        }
        this.sockets = sockets;
        this.clientConfig = clientConfig;
        this.maxConnections = maxConnections;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, maxWaitMillis));
        this.lendable = new Semaphore(maxConnections);
        this.idle = new AtomicReferenceArray<>(maxConnections);
    }

    @Override
    public Connection getConnection() {
        if (closed) {
            throw new JedisException("the Redis connection pool is closed");
        }
        if (!lendable.tryAcquire()) {
            waitForPermit();
        }
        try {
            Lent connection = takeIdle();
            if (connection == null) {
                connection = openOrTakeIdle();
            }
            connection.holder = Thread.currentThread();
            return connection;
        } catch (RuntimeException | Error e) {
            lendable.release();
            throw e;
        }
    }

    @Override
    public Connection getConnection(CommandArguments command) {
        return getConnection();
    }

    private void waitForPermit() {
        boolean acquired;
        try {
            acquired = lendable.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JedisException("interrupted while waiting for a Redis connection", e);
        }
        if (!acquired) {
            throw new JedisException("no Redis connection free within " + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos)
                    + " ms: all " + idle.length() + " (sqlcache.redis.maxConnections) are in use");
        }
    }

    private Lent takeIdle() {
        for (int i = 0; i < idle.length(); i++) {
            Lent connection = idle.get(i);
            if (connection != null && idle.compareAndSet(i, connection, null)) {
                return connection;
            }
        }
        return null;
    }

    /**
     * For a borrower holding a permit that found no idle connection: opens one if the count has room, else takes the
     * idle one that must turn up. With every permit but ours lent, {@code maxConnections} counted means one is idle
     * (put back behind our scan) or still disconnecting (a clear); waiting for it is short, and bounded all the same.
     * Without the count, a borrower opened its socket while a cleared one was still closing: one more than allowed.
     */
    private Lent openOrTakeIdle() {
        long deadline = 0;
        while (true) {
            int counted = open.get();
            if (counted < maxConnections) {
                if (open.compareAndSet(counted, counted + 1)) {
                    return openOne();
                }
                continue;
            }
            Lent connection = takeIdle();
            if (connection != null) {
                return connection;
            }
            long now = System.nanoTime();
            if (deadline == 0) {
                deadline = now + maxWaitNanos;
            } else if (now - deadline > 0) {
                throw new JedisException("no Redis connection free within "
                        + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos) + " ms: all " + maxConnections
                        + " (sqlcache.redis.maxConnections) are open");
            }
            Thread.yield(); // the thread closing or returning one may need this core
        }
    }

    /**
     * Connects and says hello (AUTH, SELECT, CLIENT SETNAME) as Jedis's own factory does; throws if that fails.
     * Called with the connection already counted; gives the count back if it does not open.
     */
    private Lent openOne() {
        Lent connection;
        try {
            connection = new Lent(sockets, clientConfig, this);
        } catch (RuntimeException | Error e) {
            open.decrementAndGet();
            throw e;
        }
        if (closed) {
            // close() ran while we connected: it may not have seen this one.
            discard(connection);
            throw new JedisException("the Redis connection pool is closed");
        }
        return connection;
    }

    /** Called by a lent connection's {@code close()}: back to a slot, or closed if broken or if the pool is. */
    private void giveBack(Lent connection) {
        try {
            if (closed || connection.isBroken() || !putIdle(connection)) {
                discard(connection);
            } else if (closed) {
                // close() may have emptied the slots before ours was filled.
                clearIdleConnections();
            }
        } finally {
            lendable.release();
        }
    }

    private boolean putIdle(Lent connection) {
        for (int i = 0; i < idle.length(); i++) {
            if (idle.get(i) == null && idle.compareAndSet(i, null, connection)) {
                return true;
            }
        }
        return false; // a slot is always free for a permit's connection, but a racing scan may miss it: close it
    }

    /** Disconnects, then uncounts: a borrower may open another only once this socket is closed. */
    private void discard(Lent connection) {
        try {
            connection.disconnect();
        } catch (RuntimeException e) {
            // Closing a dead socket may fail; there is nothing left to release.
        } finally {
            open.decrementAndGet();
        }
    }

    /** Closes every idle connection: after a server restart they are all dead. Lent ones are closed when broken. */
    void clearIdleConnections() {
        for (int i = 0; i < idle.length(); i++) {
            Lent connection = idle.getAndSet(i, null);
            if (connection != null) {
                discard(connection);
            }
        }
    }

    /** Connections open now, lent or idle. */
    int openConnections() {
        return open.get();
    }

    /** Idempotent: closes the idle connections now and each lent one when it comes back; lends none after. */
    @Override
    public void close() {
        closed = true;
        clearIdleConnections();
    }

    /** A Jedis connection that goes back to this pool, not to a commons-pool2 one, when its user closes it. */
    private static final class Lent extends Connection {

        private final LeanConnectionPool pool;
        /**
         * The thread it is lent to, null while it is not lent: the loan's token. Set by the borrower, cleared by its
         * close before the slot's compare-and-set publishes the connection to the next borrower. A thread whose loan
         * ended reads null or a later borrower (never itself: its own clearing came after its own setting), so its
         * second close is no close. Plain, not volatile: a borrow costs no fence.
         */
        private Thread holder;

        Lent(JedisSocketFactory sockets, JedisClientConfig clientConfig, LeanConnectionPool pool) {
            super(sockets, clientConfig);
            this.pool = pool;
        }

        /**
         * Ends the loan if the calling thread holds it; otherwise does nothing. A Jedis connection is one object for
         * all its loans, so a caller that closes it twice (a {@code Pipeline} closed twice closes its connection
         * twice) cannot be told from its next borrower by the object: by the thread it can. Before, a second close
         * after another thread had borrowed it put it back in a slot under that thread, and released a permit more:
         * a third borrower took it, and two threads read each other's replies. The price: a connection handed to
         * another thread must be closed by the thread that borrowed it (sqlcache and Jedis 8 close it in a
         * try-with-resources where they borrowed it); a close from elsewhere keeps its permit until the pool closes.
         * What stays open: the same thread closing an old loan's reference while it holds a new loan of the same
         * connection.
         */
        @Override
        public void close() {
            if (holder == Thread.currentThread()) {
                holder = null;
                pool.giveBack(this);
            }
        }
    }
}
