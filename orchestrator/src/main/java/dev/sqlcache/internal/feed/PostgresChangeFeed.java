package dev.sqlcache.internal.feed;

import dev.sqlcache.internal.engine.CacheEngine;
import dev.sqlcache.internal.engine.OutsideChanges;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Invalidates what writes made outside the driver change, from PostgreSQL's logical decoding of a slot of its own.
 * One thread per database in each JVM; of the JVMs sharing a store, only the holder of the slot's lease
 * ({@link ConsumerElection}) reads the stream. For each batch of committed transactions it bumps their tables
 * through the engine (the same bump a driver write makes), and only once the store has acknowledged that does it
 * confirm the slot's position, so a consumer that dies replays rather than loses. Every quarter of
 * {@code sqlcache.changeFeed.maxLag} it writes a heartbeat to the WAL; once it has applied one, it lets the
 * database's feed key live for what is left of {@code maxLag} since the heartbeat was sent. Entries depend on that
 * key, so none is served more than {@code maxLag} after an outside commit it does not reflect, whatever happens to
 * the consumer.
 */
public final class PostgresChangeFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresChangeFeed.class);
    /** How long the thread rests when the stream has nothing for it. */
    private static final long IDLE_MILLIS = 10;
    /** Transactions gathered into one bump at most, so a long burst still confirms its position regularly. */
    private static final int MAX_BATCH = 500;
    /** How long to wait before trying again after the database or the store failed. */
    private static final long RETRY_MILLIS = 1_000;
    /** How often the consumer looks at how much WAL its slot keeps. */
    private static final long WAL_CHECK_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final CacheEngine engine;
    private final FeedStore store;
    private final String storeDescription;
    private final String databaseIdentity;
    private final PostgresConnections connections;
    private final long maxLagMillis;
    private final FeedLag lag = new FeedLag();
    private final TestDecodingReader reader = new TestDecodingReader();
    private final String consumer = ProcessHandle.current().pid() + "-"
            + dev.sqlcache.internal.store.VersionTokens.fresh();
    private final Thread thread;
    /** Told when the feed cannot run here: the engines of the database go on with TTL only. */
    private final Runnable unavailable;
    private volatile boolean closed;
    /** The slot was created and the whole database not yet invalidated: nothing may be confirmed before it is. */
    private boolean everythingOwed;
    /** The last failure logged at WARN, so that a failure that repeats is logged once. */
    private String lastWarning;
    private volatile String slot;
    /** The database for logs: the URL without its parameters (which may hold a password). */
    private final String database;

    private PostgresChangeFeed(CacheEngine engine, FeedStore store, String storeDescription, String databaseIdentity,
                               String url, Map<String, String> properties, Runnable unavailable) {
        this.engine = engine;
        this.unavailable = unavailable;
        this.store = store;
        this.storeDescription = storeDescription;
        this.databaseIdentity = databaseIdentity;
        this.connections = new PostgresConnections(url, properties);
        this.maxLagMillis = engine.config().changeFeedMaxLagMillis();
        this.database = url.replaceFirst("[?;].*", "");
        this.thread = dev.sqlcache.internal.time.Scheduler.daemonThreads("sqlcache-feed " + database)
                .newThread(this::run);
    }

    /**
     * Starts the feed's thread for a database. Opens nothing on the caller's thread.
     *
     * @param databaseIdentity the engine's identity of the database (part of the slot's name)
     * @param url              the real driver's URL
     * @param properties       the real driver's connection properties, credentials included (never logged)
     * @param unavailable      run (once, on the feed's thread) when the feed cannot run against this database
     */
    public static PostgresChangeFeed start(CacheEngine engine, FeedStore store, String storeDescription,
                                           String databaseIdentity, String url, Map<String, String> properties,
                                           Runnable unavailable) {
        PostgresChangeFeed feed = new PostgresChangeFeed(engine, store, storeDescription, databaseIdentity, url,
                properties, unavailable);
        feed.thread.start();
        return feed;
    }

    /** The lag this JVM's consumer last measured; -1 when it does not consume. */
    public FeedLag lag() {
        return lag;
    }

    /** The slot's name once known (after the first check), else null. */
    public String slot() {
        return slot;
    }

    /** How long an unrenewed consumer's lease lives: past {@code maxLag}, so a successor finds the feed key dead. */
    long leaseMillis() {
        return 2 * maxLagMillis;
    }

    private void run() {
        ConsumerElection election;
        try {
            election = new ConsumerElection(store, checkOnce(), consumer, leaseMillis());
        } catch (FeedUnavailable e) {
            unavailable(e);
            return;
        } catch (InterruptedException e) {
            return;
        }
        try {
            while (!closed) {
                if (election.hold()) {
                    consume(election);
                    lag.stopped();
                }
                pause(closed ? 0 : election.leaseMillis() / 4);
            }
        } catch (FeedUnavailable e) {
            unavailable(e);
        } catch (InterruptedException e) {
            // Closing.
        } finally {
            lag.stopped();
            election.release();
        }
    }

    private void unavailable(FeedUnavailable e) {
        LOG.warn("sqlcache: change feed off for {}: {}; caching goes on with TTL only", database, e.getMessage());
        unavailable.run();
    }

    /**
     * Checks once what no retry changes, retrying only failures that may pass (the database is down).
     *
     * @return the slot's name
     */
    private String checkOnce() throws FeedUnavailable, InterruptedException {
        while (!closed) {
            try (Connection connection = connections.plain(); Statement statement = connection.createStatement()) {
                PostgresSlot.checkServer(connection);
                checkReplicationConnection();
                try (ResultSet name = statement.executeQuery("SELECT current_database()")) {
                    name.next();
                    slot = SlotName.of(name.getString(1), databaseIdentity, storeDescription);
                }
                LOG.info("sqlcache: change feed for {} through slot {} (maxLag {} ms, store {})", database, slot,
                        maxLagMillis, storeDescription);
                return slot;
            } catch (SQLException e) {
                String state = e.getSQLState();
                if (state != null && (state.startsWith("28") || state.equals("3D000"))) {
                    // Wrong credentials or no such database: no retry helps (a SqlCacheDataSource's connections
                    // report their URL but not their credentials).
                    throw new FeedUnavailable("cannot connect: " + e.getMessage());
                }
                warnOnce("cannot check the database for the change feed", e);
                pause(RETRY_MILLIS);
            }
        }
        throw new InterruptedException();
    }

    /**
     * Opens a replication connection once: it needs a user with {@code REPLICATION}, a pg_hba.conf line that admits
     * the user to this database (a logical replication connection names its database: since PostgreSQL 10 the
     * {@code replication} keyword matches physical replication only), and no connection pooler in transaction mode
     * (PgBouncer does not pass it). No retry changes either.
     */
    private void checkReplicationConnection() throws FeedUnavailable, SQLException {
        try (Connection replication = connections.replication()) {
            replication.isValid(5);
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state != null && (state.startsWith("28") || state.equals("42501") || state.equals("08P01"))) {
                throw new FeedUnavailable("cannot open a replication connection (the user needs REPLICATION, "
                        + "pg_hba.conf a line admitting it to this database, and a connection pooler does not pass "
                        + "one through): " + e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Reads the stream while this JVM holds the lease; returns when it lost it, or on a failure that may pass
     * (logged).
     *
     * @throws FeedUnavailable when the slot cannot be used at all (its name is taken, the plugin is missing)
     */
    private void consume(ConsumerElection election) throws InterruptedException, FeedUnavailable {
        try (Connection sql = connections.plain(); Connection replication = connections.replication()) {
            PostgresSlot postgresSlot = new PostgresSlot(slot);
            for (FeedSlots.Slot held : FeedSlots.list(sql)) {
                if (held.name().equals(slot) && "lost".equals(held.walStatus())) {
                    // max_slot_wal_keep_size cut it off: the changes it lost are unknown. A new slot starts
                    // from now, and everything cached for the database is invalidated once it exists.
                    LOG.warn("sqlcache: replication slot {} lost WAL it had not read (max_slot_wal_keep_size); "
                            + "creating it again", slot);
                    FeedSlots.drop(sql, slot);
                }
            }
            if (postgresSlot.createIfMissing(sql)) {
                LOG.info("sqlcache: created replication slot {}; invalidating everything cached for the database",
                        slot);
                everythingOwed = true;
            }
            PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical().withSlotName(slot)
                    .withSlotOption("include-xids", false)
                    .withSlotOption("skip-empty-xacts", true)
                    .withStatusInterval(10, TimeUnit.SECONDS)
                    .start();
            stream(stream, sql, election);
        } catch (SQLException e) {
            warnOnce("change feed interrupted (it resumes from its slot's confirmed position)", e);
        } catch (RuntimeException e) {
            warnOnce("change feed failed (it resumes from its slot's confirmed position)", e);
        }
    }

    private void stream(PGReplicationStream stream, Connection sql, ConsumerElection election)
            throws SQLException, InterruptedException {
        Heartbeats heartbeats = new Heartbeats(consumer);
        CommittedChanges changes = new CommittedChanges();
        LogSequenceNumber toConfirm = null;
        long heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, maxLagMillis / 4));
        long nextHeartbeat = System.nanoTime();
        long nextRenewal = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(election.leaseMillis() / 4);
        long nextWalCheck = System.nanoTime();
        while (!closed) {
            ByteBuffer message = stream.readPending();
            if (message != null) {
                if (changes.accept(reader.read(text(message)))) {
                    toConfirm = stream.getLastReceiveLSN();
                }
                if (changes.transactions() < MAX_BATCH) {
                    continue;
                }
            }
            if (everythingOwed) {
                if (!engine.invalidateAllFromFeed()) {
                    warnOnce("change feed cannot invalidate (the store does not answer)", null);
                    return;
                }
                everythingOwed = false;
            }
            if (!changes.isEmpty()) {
                if (!apply(changes, heartbeats, sql)) {
                    warnOnce("change feed cannot invalidate (the store does not answer); it replays from its slot",
                            null);
                    return;
                }
                if (toConfirm != null) {
                    // Only now: the invalidations are in the store, so the slot may let these changes go.
                    stream.setAppliedLSN(toConfirm);
                    stream.setFlushedLSN(toConfirm);
                }
                changes.applied();
                if (lastWarning != null) {
                    LOG.info("sqlcache: change feed through slot {} applies changes again", slot);
                    lastWarning = null;
                }
            }
            long now = System.nanoTime();
            if (now - nextHeartbeat >= 0) {
                heartbeats.send(sql, now);
                nextHeartbeat = now + heartbeatNanos;
            }
            if (now - nextRenewal >= 0) {
                if (!election.hold()) {
                    LOG.info("sqlcache: change feed through slot {} stops here: its lease was lost", slot);
                    return;
                }
                nextRenewal = now + TimeUnit.MILLISECONDS.toNanos(election.leaseMillis() / 4);
            }
            if (now - nextWalCheck >= 0) {
                checkRetainedWal(sql);
                nextWalCheck = now + WAL_CHECK_NANOS;
            }
            if (message == null) {
                pause(IDLE_MILLIS);
            }
        }
    }

    /** Bumps what the batch changed; then lets the feed key live for what is left of maxLag after its heartbeat. */
    private boolean apply(CommittedChanges changes, Heartbeats heartbeats, Connection sql) throws SQLException {
        boolean delivered = changes.everything() ? engine.invalidateAllFromFeed()
                : changes.changed().isEmpty() || engine.invalidateFromFeed(outsideChanges(changes.changed(), sql));
        if (!delivered) {
            return false;
        }
        long sent = -1;
        for (String heartbeat : changes.heartbeats()) {
            sent = Math.max(sent, heartbeats.applied(heartbeat));
        }
        if (sent >= 0) {
            long now = System.nanoTime();
            lag.applied(sent, now);
            long left = maxLagMillis - TimeUnit.NANOSECONDS.toMillis(now - sent);
            if (left > 0) {
                try {
                    store.refreshFeedKey(engine.feedKey(), left);
                } catch (RuntimeException e) {
                    // The key expires by itself; readers go to the database meanwhile.
                    LOG.debug("sqlcache: feed key not refreshed: {}", e.toString());
                }
            }
        }
        return true;
    }

    /**
     * What the engine bumps for a batch: rows updated or deleted under an unchanged primary key by their key, inserts
     * as inserts, everything else (and every ancestor of a changed table: its readers may read any of its rows) as
     * the whole table.
     */
    private static OutsideChanges outsideChanges(ChangedTables changed, Connection sql) throws SQLException {
        OutsideChanges outside = new OutsideChanges();
        Set<String> withRows = new HashSet<>();
        changed.byTable().forEach((table, what) -> {
            if (!what.rows().isEmpty()) {
                withRows.add(table);
            }
        });
        Map<String, PrimaryKeys.Key> keys = PrimaryKeys.of(sql, withRows);
        changed.byTable().forEach((table, what) -> {
            if (what.whole()) {
                outside.table(table);
                return;
            }
            if (what.inserted()) {
                outside.inserted(table);
            }
            for (DecodedLine.RowChange row : what.rows()) {
                StreamedRowKey.Values key = StreamedRowKey.of(keys.get(table), row);
                if (key == null) {
                    outside.table(table);
                    return;
                }
                outside.row(table, key.key(), key.values());
            }
        });
        for (String ancestor : TableAncestors.ancestors(sql, changed.names())) {
            outside.table(ancestor);
        }
        return outside;
    }

    private boolean walWarned;

    /**
     * Warns (once, until it shrinks again) when the slot keeps more than {@link FeedSlots#RETAINED_WAL_WARNING_BYTES}
     * of WAL: the feed is far behind, and the server's disk fills unless {@code max_slot_wal_keep_size} bounds it.
     */
    private void checkRetainedWal(Connection sql) throws SQLException {
        for (FeedSlots.Slot held : FeedSlots.list(sql)) {
            if (held.name().equals(slot)) {
                boolean large = held.retainedWalBytes() > FeedSlots.RETAINED_WAL_WARNING_BYTES;
                if (large && !walWarned) {
                    LOG.warn("sqlcache: replication slot {} keeps {} MB of WAL: the change feed is far behind; "
                            + "set max_slot_wal_keep_size to bound it", slot, held.retainedWalBytes() >> 20);
                }
                walWarned = large;
            }
        }
    }

    private static String text(ByteBuffer message) {
        return StandardCharsets.UTF_8.decode(message).toString();
    }

    private void warnOnce(String what, Exception e) {
        String warning = what + (e == null ? "" : ": " + e.getMessage());
        if (!warning.equals(lastWarning)) {
            LOG.warn("sqlcache: {} (slot {} of {}); readers go to the database until it catches up", warning, slot,
                    database);
            lastWarning = warning;
        } else {
            LOG.debug("sqlcache: {}", warning);
        }
    }

    private void pause(long millis) throws InterruptedException {
        if (millis > 0 && !closed) {
            Thread.sleep(millis);
        }
    }

    /** Stops the thread (closing its connections and giving up its lease, so another JVM takes over at once). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
