package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.analysis.StatementKind;
import dev.sqlcache.internal.analysis.TransactionControl;
import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.CaptureFailure;
import dev.sqlcache.internal.codec.ResultCapture;
import dev.sqlcache.internal.guard.CacheReads;
import dev.sqlcache.internal.guard.CacheWrites;
import dev.sqlcache.internal.key.BoundParameters;
import dev.sqlcache.internal.key.CacheKeyBuilder;
import dev.sqlcache.internal.key.KeyPrefix;
import dev.sqlcache.internal.key.NearKey;
import dev.sqlcache.internal.membership.SessionLock;
import dev.sqlcache.internal.near.NearCache;
import dev.sqlcache.internal.skip.SkipGuard;
import dev.sqlcache.internal.skip.SkipHolds;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.time.Clock;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.EntryRejection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The cache as seen by one JDBC connection ({@link CacheSession}): its key context (database, user, catalog, schema,
 * time zone) and its transaction. Every execution takes the same steps in the same order here, whichever JDBC
 * method started it: decide, lease what it may write, run, end or keep the leases, track transaction and session
 * state. Not thread-safe, like a connection.
 */
public final class SessionCache implements CacheSession {

    private static final Logger LOG = LoggerFactory.getLogger(SessionCache.class);
    private static final String[] NO_KEYS = new String[0];
    /**
     * The four tickets of a write that skipped its lease: they hold nothing of the write itself (no keys, no
     * tokens), so one of each serves every such write rather than one allocated per call.
     */
    private static final WriteTicket SKIPPED_AUTO_COMMIT = new WriteTicket(NO_KEYS, NO_KEYS, false, false, 0);
    private static final WriteTicket SKIPPED_AUTO_COMMIT_DDL = new WriteTicket(NO_KEYS, NO_KEYS, false, true, 0);
    private static final WriteTicket SKIPPED_IN_TRANSACTION = new WriteTicket(NO_KEYS, null, true, false, 0);
    private static final WriteTicket SKIPPED_IN_TRANSACTION_DDL = new WriteTicket(NO_KEYS, null, true, true, 0);

    private final CacheEngine engine;
    private final CacheReads reads;
    private final CacheWrites writes;
    private final StatisticsRecorder statistics;
    private final String user;
    private final String timeZone;
    private final TransactionTracker transaction;
    /** This connection's writes that skip their invalidation, in flight (see {@link SkipGuard}). */
    private final SkipHolds skipped = new SkipHolds();
    private final SchemaInspector inspector;
    private final SessionProbe probe;
    private final Clock clock;
    private final String connectionSettings;
    /** This connection's shared session lock, taken when it opened: what its writes may rely on in an outage. */
    private SessionLock lock;
    /** {@link #lock} as taken, released when the connection closes. */
    private final SessionLock taken;
    /** Why every read of this connection passes through, or null. */
    private BypassReason readsOff;
    private String catalog;
    private String schema;
    private String sessionSalt = "";
    private byte[] context;
    private boolean closed;
    /** Which of this connection's reads that need no clock for themselves are timed: the policy's rule. */
    private final CachePolicy.Sampler sampler = new CachePolicy.Sampler(System.identityHashCode(this));
    /**
     * When the current read's cache path began ({@link #decide}), for the latency of its hit or miss: a field, not a
     * parameter, because a read that bypasses before it never reads the clock for it.
     */
    private long entered;
    /** MySQL and MariaDB: false when the session's sql_mode has NO_BACKSLASH_ESCAPES (its SQL then reads otherwise). */
    private boolean backslashEscapes = true;

    SessionCache(CacheEngine engine, SessionState state, String connectionSettings, SchemaInspector inspector,
                 SessionProbe probe) {
        this.engine = engine;
        this.reads = engine.reads();
        this.writes = engine.writes();
        this.statistics = engine.recorder();
        this.connectionSettings = connectionSettings;
        // Catalog queries run on this connection, inside its transaction: they may take its snapshot.
        this.inspector = table -> {
            ranOutsideTheCache();
            return inspector.inspect(table);
        };
        this.probe = probe;
        this.clock = engine.clock();
        this.user = state.user();
        // Drivers turn DATE/TIME/TIMESTAMP into java.sql objects in the JVM's zone: part of what a result means.
        this.timeZone = TimeZone.getDefault().getID();
        this.transaction = new TransactionTracker(state.autoCommit(), state.isolation(),
                engine.family() == DatabaseFamily.POSTGRES || engine.family() == DatabaseFamily.MARIADB);
        this.catalog = state.catalog();
        this.schema = state.schema();
        this.context = computeContext();
        readSqlMode();
        this.lock = engine.lockSession(probe);
        this.taken = lock;
    }

    /**
     * MySQL and MariaDB: learns how the session reads backslashes in strings, once when the connection opens and
     * again after SQL that may have changed the session (never per query). If it cannot be read, every read of the
     * connection passes through: the analysis could read its literals otherwise than the server.
     */
    private void readSqlMode() {
        if (!engine.family().isMySqlLike()) {
            return;
        }
        try {
            backslashEscapes = probe.backslashEscapes();
        } catch (SQLException e) {
            LOG.debug("sqlcache: cannot read the session's sql_mode, reads pass through: {}", e.toString());
            readsOff = BypassReason.UNPARSEABLE;
        }
    }

    /**
     * What a connection reports when it is opened.
     *
     * @param user the database user: part of every key
     */
    public record SessionState(String user, String catalog, String schema, boolean autoCommit, int isolation) {
    }

    private byte[] computeContext() {
        return CacheKeyBuilder.contextDigest(engine.databaseVersionKey(), user, catalog, schema, timeZone,
                connectionSettings, sessionSalt);
    }

    @Override
    public CacheEngine engine() {
        return engine;
    }

    @Override
    public QueryPlan plan(String sql) {
        return engine.plan(sql, backslashEscapes);
    }

    /**
     * Sends every read of this connection to the database, for a reason known when it was opened (writes still
     * invalidate for the others).
     */
    public void passThroughReads(BypassReason reason) {
        readsOff = reason;
    }

    // ---- executions

    @Override
    public QueryOutcome query(Execution execution, SqlCall<ResultSet> query) throws SQLException {
        QueryPlan plan = execution.plan();
        ReadOutcome decision = execution.readOnly() ? decide(execution)
                : bypass(BypassReason.RESULT_SET_MODE, plan);
        if (decision instanceof QueryOutcome.Hit hit) {
            // Timed by decide, from the clock reading it took last: no reading of its own here.
            return hit;
        }
        // What the database takes: for the policy on a miss, and on a read it keeps away from the cache; for the
        // latency of misses and bypasses. A bypass reads no clock at all unless it is one of the sampled ones: a
        // pass-through costs what the real driver costs, plus as little as can be.
        boolean missed = decision instanceof ReadOutcome.Miss;
        // A read the policy sent to the database to measure it is timed too: that is what it is for.
        boolean measuring = decision == ReadOutcome.Bypass.of(BypassReason.MEASURING_DATABASE);
        boolean timed = missed || measuring || sampler.timesBypass();
        long started = timed ? clock.nanoTime() : 0;
        if (decision instanceof ReadOutcome.Miss miss && miss.pinsSnapshot()) {
            // The first statement of a snapshot transaction: its snapshot is taken by this query, after the
            // lookup read the write sequence.
            transaction.pin(miss.tokens()[CacheEngine.SEQUENCE_INDEX], miss.tokens()[CacheEngine.FENCE_INDEX]);
            if (engine.family() == DatabaseFamily.MARIADB) {
                // MariaDB takes the snapshot at the first read of a transactional table, which this query may not
                // be (a MyISAM or MEMORY table): take it now, so that it is this moment whatever the query reads.
                // Nothing is open to commit (the transaction is idle) and no LOCK TABLES is held to release.
                try {
                    probe.takeSnapshot();
                } catch (SQLException | RuntimeException e) {
                    transaction.loseSnapshot();
                }
            }
        }
        Flights.Flight flight = decision instanceof ReadOutcome.Miss led ? led.flight() : null;
        ResultSet real;
        try {
            real = run(execution, query);
        } catch (SQLException | RuntimeException e) {
            // Whether the database took its snapshot is unknown (MySQL keeps the transaction open).
            transaction.loseSnapshot();
            if (flight != null) {
                flight.end(null);
            }
            throw e;
        } catch (Error e) {
            // An OutOfMemoryError or the like: the followers must not wait on a flight nobody ends.
            if (flight != null) {
                flight.end(null);
            }
            throw e;
        }
        if (timed) {
            long ended = clock.nanoTime();
            // A miss is always timed; a bypass only when sampled, and the policy knows how many it stands for.
            if (missed || measuring) {
                engine.policy().ran(plan, ended - started);
            } else if (decision == ReadOutcome.Bypass.of(BypassReason.NOT_WORTH_CACHING)) {
                engine.policy().ranSampled(plan, ended - started);
            }
            // A miss from its cache path's start (the lookup included); a bypass from its query's.
            statistics.timed(missed ? StatisticsRecorder.Outcome.MISS : StatisticsRecorder.Outcome.BYPASS,
                    ended - (missed ? entered : started));
        }
        if (flight != null && (real == null || !flight.followed() || closesWithItsResult(real))) {
            flight.end(null);
            flight = null;
        }
        Capture capture = null;
        if (real != null && decision instanceof ReadOutcome.Miss miss) {
            if (flight != null) {
                return lead(execution, query, miss, real);
            }
            capture = Capture.begin(this, miss, real, engine.config().maxRows(), engine.config().maxBytes());
        }
        return new QueryOutcome.Ran(real, capture);
    }

    @Override
    public <T> T execute(Execution execution, SqlCall<T> statement) throws SQLException {
        countPassThrough(execution);
        return run(execution, statement);
    }

    /**
     * A statement that reads but is not served by the cache: counted as a bypass, with its reason. A query the cache
     * could answer arrives here only through a JDBC method whose answer the cache never gives (a prepared
     * statement's query-string methods, executeUpdate of a query, a query asking for generated keys): counted under
     * {@link BypassReason#JDBC_METHOD}, or reads the real statement answers would be missing from the figures.
     */
    private void countPassThrough(Execution execution) {
        switch (execution.kind()) {
            case CALL -> statistics.bypass(BypassReason.CALLABLE);
            case STATEMENT -> {
                QueryPlan plan = execution.plan();
                if (plan.analysis().kind() == StatementKind.SELECT) {
                    statistics.bypass(plan.cacheable() ? BypassReason.JDBC_METHOD : plan.analysis().bypassReason());
                    StatisticsRecorder.bypass(plan.tableCounter());
                }
            }
            default -> {
                // Batches and update-count calls read nothing the application sees.
            }
        }
    }

    /**
     * Runs the real call between the write steps: lease before what it may write, end (or keep, inside a
     * transaction) after, successful or not (a failed batch may have applied part of its work), then track what it
     * did to the transaction and the session.
     */
    private <T> T run(Execution execution, SqlCall<T> call) throws SQLException {
        transaction.statementRuns();
        if (lock.locked()) {
            forgetLockIfReleased(execution);
        }
        boolean commitsFirst = transaction.inTransaction() && commitsFirst(execution);
        if (commitsFirst || (transaction.inTransaction() && mayCommit(execution))) {
            // Before its leases: steps that fail must leave no auto-commit lease behind without its end.
            beforeCommit();
        }
        boolean opensBeforeAWrite = !transaction.inTransaction() && beginsBeforeAWrite(execution);
        if (opensBeforeAWrite) {
            // Its writes lease as the transaction's, ended at that transaction's end, not as the batch returns.
            transaction.sqlBegin();
        }
        WriteTicket write = beforeWrite(execution);
        // Only a batch can end the transaction and write after it in one call (no cost for a single statement).
        boolean endsBeforeAWrite = execution.plans().size() > 1 && writesAfterAnEnd(execution);
        boolean succeeded = false;
        try {
            T result = call.call();
            succeeded = true;
            return result;
        } finally {
            if (commitsFirst) {
                committedFirst(execution, succeeded);
            }
            afterWrite(write, succeeded, execution, endsBeforeAWrite);
            // Indexed: every call passes here, and an iterator is an allocation per call (the plans are a List.of).
            List<QueryPlan> plans = execution.plans();
            for (int i = 0; i < plans.size(); i++) {
                afterExecute(plans.get(i), succeeded, endsBeforeAWrite);
            }
            if (endsBeforeAWrite && succeeded) {
                endedBeforeAWrite();
            }
            if (opensBeforeAWrite) {
                openedOrNot(succeeded, execution);
            }
            if (succeeded && transaction.inTransaction() && transaction.autoCommit()) {
                closedOnTheServer(execution);
            }
        }
    }

    /**
     * Whether a statement of the batch writes after one that may open a transaction: BEGIN, or a session statement
     * ({@code SET autocommit = 0}); or a statement not understood, which may do both ({@code BEGIN; UPDATE ...} in
     * one string). A single statement known to the analysis opens nothing it writes in.
     */
    private static boolean beginsBeforeAWrite(Execution execution) {
        if (execution.plans().size() == 1) {
            return execution.plan().analysis().kind() == StatementKind.UNKNOWN;
        }
        boolean began = false;
        for (QueryPlan plan : execution.plans()) {
            if (plan.analysis().kind() == StatementKind.UNKNOWN) {
                return true;
            }
            if (begins(plan) || plan.analysis().kind() == StatementKind.SESSION) {
                began = true;
            } else if (began && plan.mayWrite()) {
                return true;
            }
        }
        return false;
    }

    private static boolean begins(QueryPlan plan) {
        TransactionControl control = plan.analysis().transactionControl();
        return control == TransactionControl.BEGIN || control == TransactionControl.BEGIN_WITH_ISOLATION;
    }

    /**
     * A batch (or a statement not understood) that may have opened a transaction before it wrote returned, its
     * writes leased as that transaction's ({@link #beginsBeforeAWrite}): open ({@link #leftOpen}), the leases stay
     * until the transaction's end, and a snapshot the analysis did not see begin is not trusted; closed, the writes
     * committed as they ran and their leases end now (a transaction taken as open that is not would keep them past
     * their expiry).
     */
    private void openedOrNot(boolean succeeded, Execution execution) {
        if (leftOpen(execution, succeeded)) {
            if (!succeeded || opaque(execution)) {
                transaction.loseSnapshot();
            }
            return;
        }
        transaction.ended();
        endTransactionLeases();
    }

    /**
     * Whether a statement of the batch writes after one that ended the transaction (COMMIT, ROLLBACK, their chains,
     * DDL that commits implicitly). With auto-commit off that write runs in a new transaction, still open when the
     * batch returns: the end in the middle must not end its leases.
     */
    private boolean writesAfterAnEnd(Execution execution) {
        boolean ended = false;
        for (QueryPlan plan : execution.plans()) {
            if (endsTransaction(plan)) {
                ended = true; // implicitly committing DDL commits its own change too
            } else if (ended && plan.mayWrite()) {
                return true;
            }
        }
        return false;
    }

    private boolean endsTransaction(QueryPlan plan) {
        return transactionEnd(plan.analysis().transactionControl())
                || (plan.analysis().kind() == StatementKind.DDL && engine.family().ddlCommitsTransaction()
                        && !plan.analysis().createsTemporaryTable());
    }

    /**
     * A batch ended the transaction and then wrote. Still in a transaction now (auto-commit off, or a BEGIN after
     * the end): the later writes are open, so every lease stays until this transaction's own end, what the end in
     * the middle committed is invalidated (as after a commit whose outcome is not modelled), and no snapshot is
     * trusted. Otherwise the later writes committed as they ran: the leases end now, as at any commit.
     */
    private void endedBeforeAWrite() {
        if (transaction.inTransaction()) {
            commitFailed();
            transaction.loseSnapshot();
        } else {
            endTransactionLeases();
        }
    }

    /**
     * Whether the execution may commit the open transaction as it runs: SQL COMMIT (also in a batch), DDL where the
     * database commits implicitly before it, a session statement (MySQL's {@code SET autocommit = 1} commits), a
     * procedure call (a MariaDB or MySQL procedure may COMMIT, or run DDL, inside the caller's transaction), or a
     * statement not understood (a multi-statement string holding COMMIT is one: its commit is not modelled, its
     * leases stay until the transaction's next end, but they must stand when it commits). Plans are analysed
     * already: no parsing here.
     */
    private boolean mayCommit(Execution execution) {
        for (QueryPlan plan : execution.plans()) {
            TransactionControl control = plan.analysis().transactionControl();
            StatementKind kind = plan.analysis().kind();
            if (control == TransactionControl.COMMIT || control == TransactionControl.COMMIT_AND_CHAIN
                    || kind == StatementKind.SESSION || kind == StatementKind.UNKNOWN || kind == StatementKind.CALL
                    || (kind == StatementKind.DDL && engine.family().ddlCommitsTransaction()
                            && !plan.analysis().createsTemporaryTable())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the execution holds a statement that MySQL and MariaDB run only after committing the open transaction
     * ("Statements That Cause an Implicit Commit"): BEGIN and START TRANSACTION (PostgreSQL only warns; H2 keeps
     * the transaction), LOCK TABLES, UNLOCK TABLES while tables are locked, ANALYZE / CHECK / OPTIMIZE / REPAIR
     * TABLE, and TRUNCATE (which commits after it too: the end then covers its own leases).
     * {@code SET autocommit = 1} is read back from the connection (refreshSessionState) and DDL commits in
     * afterWrite. Plans are analysed already.
     */
    private boolean commitsFirst(Execution execution) {
        if (!engine.family().isMySqlLike()) {
            return false;
        }
        for (QueryPlan plan : execution.plans()) {
            TransactionControl control = plan.analysis().transactionControl();
            if (control == TransactionControl.BEGIN || control == TransactionControl.BEGIN_WITH_ISOLATION
                    || plan.analysis().kind() == StatementKind.TRUNCATE || plan.maintainsTables()
                    || plan.tableLocks() > 0 || (plan.tableLocks() < 0 && transaction.tablesLocked())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A statement that commits the open transaction before it runs ({@link #commitsFirst}) returned: the commit
     * happened first, then the statement's own effect follows (afterExecute: a new SQL transaction, table locks).
     * If it failed, the commit may have happened or not (MariaDB commits even when the statement then fails; not
     * when it could not parse it): as a failed commit. In a batch, where the writes after it belong to the new
     * transaction, the leases stay until the transaction's next end (safe), but the snapshot is over either way.
     */
    private void committedFirst(Execution execution, boolean succeeded) {
        if (succeeded && execution.plans().size() == 1) {
            if (execution.plan().tableLocks() < 0 && !transactionIdle()) {
                // UNLOCK TABLES commits only while tables are locked, and the server says a transaction is still
                // open: it committed nothing (the locks were gone some way the proxy did not see). Ending the leases
                // of its open writes now would let others store what their commit makes stale.
                return;
            }
            committed();
            return;
        }
        if (!succeeded) {
            commitFailed();
        }
        transaction.loseSnapshot();
    }

    /**
     * Before a statement that may release the session's advisory locks runs (and before any write in it leases):
     * from then on this connection holds no lock that the early drop of this member would find held.
     */
    private void forgetLockIfReleased(Execution execution) {
        for (QueryPlan plan : execution.plans()) {
            if (plan.releasesSessionLocks()) {
                lock = SessionLock.NONE;
                return;
            }
        }
    }

    // ---- reads

    /**
     * Decides a read before it runs: serve, run and store, or run only. A hit is timed here (from {@link #entered},
     * read once the read is known to take the cache's path), with the clock reading its lookup ended at.
     */
    private ReadOutcome decide(Execution execution) {
        QueryPlan plan = execution.plan();
        BoundParameters parameters = execution.parameters();
        if (!engine.config().enabled()) {
            return bypass(BypassReason.DISABLED, plan);
        }
        if (readsOff != null) {
            return bypass(readsOff, plan);
        }
        if (plan.excluded()) {
            return bypass(BypassReason.EXCLUDED_TABLE, plan);
        }
        if (!plan.cacheable()) {
            return bypass(plan.analysis().bypassReason(), plan);
        }
        if (parameters != null ? !parameters.isKeyable(plan.parameterCount()) : plan.parameterCount() != 0) {
            return bypass(BypassReason.UNSUPPORTED_PARAMETER, plan);
        }
        Dependencies.ReadLayout layout = engine.dependencies().readLayout(plan, inspector);
        if (!layout.plainTables) {
            return bypass(BypassReason.NOT_A_PLAIN_TABLE, plan);
        }
        // A read's row keys (a digest per key value) are built only when something looks at them: not for a read
        // the policy keeps away from a JVM without a near cache, which is every read of a table not worth caching.
        Dependencies.ReadKeys dependsOn = null;
        Boolean mayRead = transaction.mayReadAny();
        if (mayRead == null) {
            dependsOn = engine.dependencies().readKeys(layout, parameters);
            mayRead = transaction.mayRead(dependsOn.versionKeys());
        }
        if (!mayRead) {
            return bypass(BypassReason.TRANSACTION_STATE, plan);
        }
        BypassReason notNow = engine.policy().admit(plan);
        NearCache near = engine.near();
        // A shape not worth a round trip may still be served from a near copy at hand; a table off as a whole is not
        // worth even that (asking costs the read's row keys and its entry key: two digests).
        if (notNow != null && (notNow != BypassReason.NOT_WORTH_CACHING || near == null
                || engine.policy().wholeTableOff(plan))) {
            return bypass(notNow, plan);
        }
        KeyPrefix prefix = plan.keyPrefix(context);
        // Snapshot reads keep to the store, where an entry says when it was read (the near cache does not).
        boolean nearReads = near != null && !transaction.snapshotReads();
        // A near lookup is timed from here: what lies between is a few field reads, and a clock reading costs about
        // as much as the near lookup itself, and only the near reads the sampler picks are timed at all. A read that
        // goes on to Redis reads the clock there, and starts its latency from that reading when it had none here.
        boolean timed = !nearReads || sampler.timesNearRead(plan);
        long entered = timed ? clock.nanoTime() : 0;
        this.entered = entered;
        long lookupStarted = entered;
        // A near copy is looked up by the execution itself, compared in place: neither its entry key nor its row keys
        // (two digests) are worked out for a near hit. The layout fixes how the row keys follow from the values, so
        // the version keys the copy was stored with are the execution's.
        // The probe belongs to the statement (its values' own object), so that two threads sharing a connection never
        // look up with each other's values; a plain statement has no values and takes a fresh one.
        NearKey.Probe nearProbe = !nearReads ? null : parameters != null ? parameters.nearProbe() : new NearKey.Probe();
        boolean nearKeyed = nearReads
                && nearProbe.bind(layout, prefix, execution.maxRows(), execution.maxFieldSize(), parameters);
        if (nearKeyed) {
            NearCache.Copy copy = near.get(nearProbe);
            if (copy != null) {
                return timed ? nearHit(plan, copy, lookupStarted, nearProbe.checkedAt(), entered)
                        : nearHit(plan, copy);
            }
        }
        if (dependsOn == null) {
            dependsOn = engine.dependencies().readKeys(layout, parameters);
        }
        String[] versionKeys = dependsOn.versionKeys();
        String key = prefix.entryKey(parameters, execution.maxRows(), execution.maxFieldSize());
        // The policy weighs the lookup itself against the database, as before: not the keys' hashing.
        lookupStarted = clock.nanoTime();
        if (!timed) {
            entered = lookupStarted;
            this.entered = entered;
        }
        NearCache.Tag nearTag = null;
        if (nearReads && !nearKeyed) {
            // A value the near key cannot compare exactly: the copy is kept under the entry key instead.
            CachedResult copy = near.get(key, versionKeys);
            if (copy != null) {
                return nearHit(plan, key, copy, versionKeys, lookupStarted, entered);
            }
        }
        if (notNow != null) {
            // Not worth a round trip to the store; a copy at hand (above) costs none and is served all the same.
            return bypass(notNow, plan);
        }
        if (engine.ownLeases().anyOf(versionKeys)) {
            // A write of this JVM leases one of its keys right now: the lookup would find the lease (or a token the
            // write's end is about to replace) and pass through; it passes through without asking (issue #13).
            return bypass(BypassReason.WRITE_IN_PROGRESS, plan);
        }
        if (nearReads) {
            // Before the store is asked: a write whose notice arrives after this may have changed what it answers.
            // The near key copies the values now: the application may bind others before the result is stored.
            nearTag = near.tag(versionKeys, nearKeyed ? nearProbe.snapshot() : null);
        }
        Object landing = engine.pendingStores().pending(key);
        // The one place that knows whether a copy will be kept (the tag is what a copy is put with): without one,
        // the store is not asked how long a copy may live.
        EntryPresence presence = plan.presence();
        CacheStore.Lookup lookup = reads.lookup(key, versionKeys, dependsOn.encoded(), dependsOn.creation(),
                engine.config().maxEntryBytes(), nearTag != null, presence.likely(), presence.creating());
        if (lookup == null) {
            return bypass(BypassReason.CACHE_UNAVAILABLE, plan);
        }
        presence.seen(lookup.entry() != null || lookup.oversized() > 0, lookup.created());
        // The tokens stay as the store read them until something needs their text: a hit compares them with the
        // entry's byte for byte; a miss, a snapshot read or a pending store decodes them (once, in the lookup).
        if (lookup.missing(CacheEngine.FENCE_INDEX)) {
            return bypass(BypassReason.FENCED, plan);
        }
        if (dependsOn.feedIndex() >= 0 && lookup.missing(dependsOn.feedIndex())) {
            return bypass(BypassReason.CHANGE_FEED_BEHIND, plan);
        }
        for (int i = 0, n = lookup.tokenCount(); i < n; i++) {
            if (lookup.isLease(i)) {
                // A permit's lease on a table this JVM has on: ask for it to be given up.
                engine.skips().leaseSeen(versionKeys[i], lookup.versions()[i]);
                return bypass(BypassReason.WRITE_IN_PROGRESS, plan);
            }
        }
        boolean snapshot = transaction.snapshotReads();
        String pinned = snapshot ? transaction.pinnedSequence() : null;
        if (snapshot && pinned == null && !transactionIdle()) {
            // SQL this proxy did not see (a metadata or schema query, a savepoint) opened the transaction: its
            // snapshot may be older than this lookup, and its answers older than the tokens just read.
            transaction.loseSnapshot();
            return bypass(BypassReason.TRANSACTION_STATE, plan);
        }
        if (pinned != null && !lookup.versions()[CacheEngine.FENCE_INDEX].equals(transaction.pinnedFence())) {
            // The fence came back since the snapshot (Redis restarted, lost or cut off): the sequence may have
            // started over, and its values no longer order anything against the pinned one.
            transaction.loseSnapshot();
            return bypass(BypassReason.TRANSACTION_STATE, plan);
        }
        // Ordinary reads ignore the write sequence (any write anywhere moves it). A snapshot read takes an entry
        // only if its lookup came no later than the read of the sequence that preceded the snapshot: its tables
        // then kept their tokens from before the snapshot until now.
        java.util.function.Predicate<String> recordedCheck = pinned == null ? null
                : recorded -> SnapshotPoint.notAfter(recorded, pinned);
        byte[] entry = lookup.entry();
        if (lookup.oversized() > 0) {
            engine.entries().rejected(EntryRejection.OVER_LIMIT, key, lookup.oversized() + " bytes, more than "
                    + engine.config().maxEntryBytes() + " (sqlcache.maxBytes)");
        }
        CachedResult result = null;
        int pendingCopyBytes = -1;
        if (entry != null) {
            byte[][] encoded = lookup.encodedVersions();
            result = recordedCheck == null && encoded != null
                    ? engine.entries().readIfCurrent(key, entry, encoded, CacheEngine.SEQUENCE_INDEX, plan.columns())
                    : engine.entries().readIfCurrent(key, entry, lookup.versions(), CacheEngine.SEQUENCE_INDEX,
                            recordedCheck, plan.columns());
        }
        if (result == null && landing != null) {
            // The store is on its way (the entry is missing, or an older one is still there).
            result = PendingStores.ifCurrent(landing, lookup.versions(), CacheEngine.SEQUENCE_INDEX, recordedCheck);
            pendingCopyBytes = result != null && nearTag != null ? PendingStores.copyBytes(landing) : -1;
        }
        if (snapshot && pinned == null && result != null) {
            // The transaction's first read would be a hit, but its snapshot is not taken yet: take it now, tied to
            // the sequence this lookup read before it, and look up again (after the snapshot) under that rule.
            return pinSnapshot(lookup.versions()) ? decide(execution)
                    : bypass(BypassReason.TRANSACTION_STATE, plan);
        }
        if (snapshot && pinned != null && result == null
                && !pinned.equals(lookup.versions()[CacheEngine.SEQUENCE_INDEX])) {
            // The database answers as of the snapshot, and writes came since: its answer is not the current one.
            return bypass(BypassReason.TRANSACTION_STATE, plan);
        }
        long looked = clock.nanoTime();
        // A miss with no entry at all (a key's first lookup, on a cold cache) is no evidence against caching the
        // shape in its warm-up; one with an entry invalidated since, or too large to keep, is.
        engine.policy().lookedUp(plan, looked - lookupStarted, result != null,
                result == null && entry == null && lookup.oversized() == 0);
        if (result != null) {
            if (nearTag != null && entry != null) {
                near.put(key, nearTag, result, entry.length, lookup.copyTtlMillis(plan.ttlSeconds() * 1000));
            } else if (pendingCopyBytes >= 0) {
                // A result still on its way to the store, copied as a hit from the store is: the same tokens, the
                // tag taken before the lookup. Else every read of a hot key until the writer thread lands the store
                // (and copies it there) pays a Redis round trip for a result this JVM holds.
                near.put(key, nearTag, result, pendingCopyBytes, lookup.copyTtlMillis(plan.ttlSeconds() * 1000));
                if (PendingStores.copyBytes(landing) < 0) {
                    // Refused as too large since the check above: the writer thread's drop may have run before
                    // this copy was made, so this read drops it itself (one volatile read, on this rare path only).
                    near.forget(key, nearTag);
                }
            }
            statistics.hit();
            StatisticsRecorder.hit(plan.tableCounter());
            if (LOG.isDebugEnabled()) {
                LOG.debug("sqlcache hit: {} depending on {}", sqlOf(plan), Explain.dependencies(versionKeys));
            }
            statistics.timed(StatisticsRecorder.Outcome.HIT, looked - entered);
            return new QueryOutcome.Hit(result);
        }
        String[] tokens = lookup.versions();
        Flights.Flight leading = null;
        if (!snapshot) {
            Flights.Flight flight = engine.flights().current(key);
            if (flight == null && transaction.mayStore(transaction.epoch())) {
                // Only a miss that may store its result leads (auto-commit, or before this transaction's first
                // write): what it shares is what it would store.
                leading = engine.flights().lead(key, tokens);
                flight = leading == null ? engine.flights().current(key) : null;
            }
            // A session holding LOCK TABLES may be what the leader's query waits for: it never waits for a leader.
            if (flight != null && !transaction.tablesLocked() && flight.join(tokens)) {
                CachedResult shared = flight.await();
                if (shared != null) {
                    statistics.hit();
                    StatisticsRecorder.hit(plan.tableCounter());
                    LOG.debug("sqlcache shared miss: {}", key);
                    statistics.timed(StatisticsRecorder.Outcome.HIT, clock.nanoTime() - entered);
                    return new QueryOutcome.Hit(shared);
                }
            }
        }
        statistics.miss();
        StatisticsRecorder.miss(plan.tableCounter());
        if (LOG.isDebugEnabled()) {
            LOG.debug("sqlcache miss{}: {} depending on {}", entry == null ? "" : " (stale entry)", sqlOf(plan),
                    Explain.dependencies(versionKeys));
        }
        return new ReadOutcome.Miss(plan, key, versionKeys, tokens, plan.ttlSeconds(), transaction.epoch(),
                snapshot && pinned == null, nearTag,
                lookupStarted + TimeUnit.MILLISECONDS.toNanos(
                        lookup.copyTtlMillis(plan.ttlSeconds() * 1000)), leading);
    }

    /**
     * A copy found by the execution's near key: timed with the reading its check took ({@code checked}), served
     * with the outcome object the copy keeps (made by its first hit), so that a near hit allocates nothing here.
     */
    private ReadOutcome nearHit(QueryPlan plan, NearCache.Copy copy, long lookupStarted,
                                long checked, long entered) {
        QueryOutcome.Hit hit = copy.outcome() instanceof QueryOutcome.Hit kept ? kept : null;
        if (hit == null) {
            hit = new QueryOutcome.Hit(copy.result());
            copy.outcome(hit);
        }
        nearHitCounted(plan, copy.versionKeys(), lookupStarted, checked, entered);
        return hit;
    }

    /** A near hit that is not one of the timed ones: counted, its lookup counted by the policy without a time. */
    private ReadOutcome nearHit(QueryPlan plan, NearCache.Copy copy) {
        QueryOutcome.Hit hit = copy.outcome() instanceof QueryOutcome.Hit kept ? kept : null;
        if (hit == null) {
            hit = new QueryOutcome.Hit(copy.result());
            copy.outcome(hit);
        }
        engine.policy().nearHitUntimed(plan);
        statistics.nearHit();
        StatisticsRecorder.hit(plan.tableCounter());
        if (LOG.isDebugEnabled()) {
            LOG.debug("sqlcache near hit: {} depending on {}", sqlOf(plan), Explain.dependencies(copy.versionKeys()));
        }
        return hit;
    }

    /** A copy found under its entry key (a value the near key cannot compare): rare, a fresh outcome. */
    private ReadOutcome nearHit(QueryPlan plan, String key, CachedResult copy, String[] versionKeys,
                                long lookupStarted, long entered) {
        nearHitCounted(plan, versionKeys, lookupStarted, clock.nanoTime(), entered);
        return new QueryOutcome.Hit(copy);
    }

    private void nearHitCounted(QueryPlan plan, String[] versionKeys, long lookupStarted, long now, long entered) {
        engine.policy().nearHitTimed(plan, now - lookupStarted);
        statistics.nearHit();
        StatisticsRecorder.hit(plan.tableCounter());
        if (LOG.isDebugEnabled()) {
            LOG.debug("sqlcache near hit: {} depending on {}", sqlOf(plan), Explain.dependencies(versionKeys));
        }
        statistics.timed(StatisticsRecorder.Outcome.HIT, now - entered);
    }

    /**
     * A miss that leads others ({@link Flights}) reads its whole result itself, shares it, stores it and serves it
     * to its application like a hit. When the result cannot be kept (too large, a type the codec cannot keep), the
     * followers run the query themselves, and so does the leader for its application: the rows it read are gone,
     * and running a cacheable query again answers as of a moment inside this call.
     */
    private QueryOutcome lead(Execution execution, SqlCall<ResultSet> query, ReadOutcome.Miss miss, ResultSet real)
            throws SQLException {
        CachedResult result = null;
        long estimated = 0;
        try {
            ResultCapture rows = ResultCapture.begin(real.getMetaData(), miss.plan().captureShape(),
                    engine.config().maxRows(), engine.config().maxBytes());
            if (rows == null) {
                rejected(BypassReason.UNSUPPORTED_TYPE);
            } else {
                boolean whole = true;
                while (whole && real.next()) {
                    whole = rows.captureRow(real);
                }
                if (whole) {
                    estimated = rows.estimatedBytes();
                    result = rows.finish();
                } else {
                    rejected(rows.failure() == CaptureFailure.TOO_LARGE ? BypassReason.TOO_LARGE
                            : BypassReason.UNSUPPORTED_TYPE);
                }
            }
        } finally {
            miss.flight().end(result);
        }
        closeQuietly(real);
        if (result != null) {
            store(miss, result, estimated);
            return new QueryOutcome.Hit(result);
        }
        return new QueryOutcome.Ran(run(execution, query), null);
    }

    /**
     * Whether closing {@code real} closes the application's statement (closeOnCompletion): a leader closes the
     * result it read in full, and may run the query again on that statement, so such a miss does not lead.
     */
    private static boolean closesWithItsResult(ResultSet real) {
        try {
            java.sql.Statement statement = real.getStatement();
            return statement == null || statement.isCloseOnCompletion();
        } catch (SQLException | RuntimeException e) {
            return true;
        }
    }

    private static void closeQuietly(ResultSet resultSet) {
        try {
            resultSet.close();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("sqlcache: closing a result read in full failed: {}", e.toString());
        }
    }

    private boolean transactionIdle() {
        try {
            return probe.transactionIdle();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("sqlcache: cannot tell whether the transaction is open: {}", e.toString());
            return false;
        }
    }

    /** Makes the database take the transaction's snapshot now, after {@code tokens} were read. */
    private boolean pinSnapshot(String[] tokens) {
        transaction.pin(tokens[CacheEngine.SEQUENCE_INDEX], tokens[CacheEngine.FENCE_INDEX]);
        try {
            probe.takeSnapshot();
            return true;
        } catch (SQLException | RuntimeException e) {
            transaction.loseSnapshot();
            LOG.debug("sqlcache: could not take the transaction's snapshot: {}", e.toString());
            return false;
        }
    }

    /** The statement as logs name it: its normalized text, never a bound value. */
    private static String sqlOf(QueryPlan plan) {
        String sql = plan.analysis().normalizedSql();
        return sql != null ? sql : plan.analysis().kind() + " " + (plan.analysis().tablesWritten().isEmpty()
                ? plan.analysis().tablesRead() : plan.analysis().tablesWritten());
    }

    private ReadOutcome bypass(BypassReason reason, QueryPlan plan) {
        statistics.bypass(reason);
        StatisticsRecorder.bypass(plan.tableCounter());
        if (LOG.isDebugEnabled()) {
            LOG.debug("sqlcache bypass ({}): {}", reason, sqlOf(plan));
        }
        return ReadOutcome.Bypass.of(reason);
    }

    /** Counts a missed result that is not kept (the read stays a miss: never counted twice). */
    void rejected(BypassReason reason) {
        statistics.rejected(reason);
    }

    /**
     * A missed read was fully consumed: store it if nothing this connection did since makes it unsafe. The caller
     * pays the bookkeeping and the near copy; encoding, the size refusal and the store run on the writer thread
     * ({@link MissStore}).
     *
     * @param estimatedBytes the capture's estimate of its encoded size, for the bound of the writer's queue
     */
    void store(ReadOutcome.Miss miss, CachedResult result, long estimatedBytes) {
        if (!transaction.mayStore(miss.transactionEpoch())) {
            statistics.rejected(BypassReason.TRANSACTION_STATE);
            LOG.debug("sqlcache: {} not stored, written by this transaction meanwhile", miss.key());
            return;
        }
        PendingStores pending = engine.pendingStores();
        MissStore later = new MissStore(miss, result, pending);
        later.handle = pending.add(miss.key(), miss.tokens(), result, estimatedBytes);
        NearCache near = miss.nearTag() != null ? engine.near() : null;
        if (near != null) {
            // Copied here, before the store is queued, not on the writer thread: until the writer ran, every read
            // of a hot key (the one a write just changed, on another thread) paid a Redis round trip to find this
            // result pending. The tag was taken before the lookup, so a change handled since refuses or kills the
            // copy whenever it is made (docs/consistency.md, "A miss's store, off the caller's thread"). Weighed at
            // the capture's estimate, as a pending copy is; a refusal of the encoding drops it on the writer thread,
            // which runs after this put.
            near.put(miss.key(), miss.nearTag(), result, (int) Math.min(Integer.MAX_VALUE, estimatedBytes),
                    TimeUnit.NANOSECONDS.toMillis(miss.copyUntilNanos() - clock.nanoTime()));
        }
        if (!reads.putLater(miss.key(), estimatedBytes, miss.ttlSeconds(), later)) {
            pending.landed(miss.key(), later.handle);
            if (near != null) {
                // Never stored: kept nowhere, as before (the next read misses).
                near.forget(miss.key(), miss.nearTag());
            }
            statistics.rejected(BypassReason.STORE_QUEUE_FULL);
        }
    }

    /**
     * The store of one missed result, run on the writer thread. What it may do there keeps every guarantee the
     * caller's thread gave: the entry is bound and signed as before; the store is checked against the tokens the
     * lookup read (a write since makes it refuse, however late it lands); an entry over {@code sqlcache.maxBytes}
     * once encoded is refused and counted, never stored, and its near copies (the caller's, made before this ran,
     * and any a reader made from it pending) are dropped.
     */
    private final class MissStore implements CacheReads.LaterStore {
        private final ReadOutcome.Miss miss;
        private final CachedResult result;
        private final PendingStores pending;
        Object handle;

        MissStore(ReadOutcome.Miss miss, CachedResult result, PendingStores pending) {
            this.miss = miss;
            this.result = result;
            this.pending = pending;
        }

        @Override
        public byte[] value() {
            byte[] bytes = engine.entries().encode(miss.key(), miss.tokens(), result);
            if (bytes.length > engine.config().maxEntryBytes()) {
                // Readers would refuse it unread: the capture's estimate was under the limit, the encoding is not.
                // A miss already counted: rejected, never also a bypass.
                statistics.rejected(BypassReason.TOO_LARGE);
                PendingStores.refused(handle);
                if (engine.near() != null) {
                    // A read that found it pending may have copied it meanwhile, under its own tag (the miss may
                    // have taken none: a snapshot read): never kept, as never stored. After the mark above, so that
                    // a reader that copies later sees the mark and drops its own copy.
                    engine.near().forgetEntry(miss.key());
                }
                return null;
            }
            // The near copy was made on the caller's thread (store).
            return bytes;
        }

        // The store does not wait for the sequence: a write elsewhere must not refuse it (snapshot readers check
        // the value the entry records against the current one themselves).
        @Override
        public String[] versionKeys() {
            return withoutSequence(miss.versionKeys());
        }

        @Override
        public String[] tokens() {
            return withoutSequence(miss.tokens());
        }

        @Override
        public void ended(boolean stored) {
            pending.landed(miss.key(), handle);
            if (stored) {
                statistics.stored();
                engine.policy().stored(miss.plan());
            }
        }
    }

    private static String[] withoutSequence(String[] keys) {
        String[] rest = new String[keys.length - 1];
        System.arraycopy(keys, 0, rest, 0, CacheEngine.SEQUENCE_INDEX);
        System.arraycopy(keys, CacheEngine.SEQUENCE_INDEX + 1, rest, CacheEngine.SEQUENCE_INDEX,
                keys.length - CacheEngine.SEQUENCE_INDEX - 1);
        return rest;
    }

    // ---- writes

    /**
     * Leases the version keys of every table the execution may change, so that from now until its commit is
     * confirmed no JVM serves or stores those tables. Inside a transaction each key is leased once, at its first
     * write.
     *
     * @return what {@link #afterWrite} needs, or {@code null} when the execution writes nothing
     */
    private WriteTicket beforeWrite(Execution execution) {
        return switch (execution.kind()) {
            case CALL, CALL_UPDATE -> lease(callKeys(execution.plan(), execution.parameters()), false);
            case QUERY, STATEMENT, BATCH -> {
                if (execution.plans().size() == 1) {
                    QueryPlan plan = execution.plan();
                    if (execution.kind() == Execution.Kind.QUERY && !execution.readOnly()
                            && !plan.analysis().tablesRead().isEmpty()) {
                        // Rows of an updatable result set are changed through it, never as SQL: lease what it
                        // reads, so that this transaction stops reading it from the cache and the end invalidates.
                        yield lease(engine.updatableResultKeys(plan), false);
                    }
                    if (!plan.mayWrite()) {
                        yield null;
                    }
                    boolean ddl = plan.analysis().kind() == StatementKind.DDL;
                    if (!plan.writes()) {
                        yield lease(loggedWriteKeys(plan, execution.parameters()), ddl);
                    }
                    // Judged on its tables alone: a write that skips its invalidation builds none of the row keys
                    // (hashed from the bound values) it would never lease.
                    String[] tables = engine.dependencies().writeTables(plan, inspector);
                    if (tables.length == 0) {
                        yield null;
                    }
                    if (engine.skips().begin(tables, skipped)) {
                        yield skippedWrite(ddl);
                    }
                    yield leaseUnskipped(loggedWriteKeys(plan, execution.parameters()), ddl);
                }
                Set<String> keys = new LinkedHashSet<>();
                boolean ddl = false;
                for (QueryPlan plan : execution.plans()) {
                    if (plan.mayWrite()) {
                        // A batch's rows were bound one by one and are gone: table-level.
                        keys.addAll(Arrays.asList(writeKeysOf(plan, null)));
                        ddl |= plan.analysis().kind() == StatementKind.DDL;
                    }
                }
                yield lease(keys.toArray(String[]::new), ddl);
            }
        };
    }

    private String[] loggedWriteKeys(QueryPlan plan, BoundParameters parameters) {
        String[] keys = writeKeysOf(plan, parameters);
        if (LOG.isDebugEnabled()) {
            LOG.debug("sqlcache write: {} invalidates {}: {}", sqlOf(plan), whyWrites(plan), Explain.dependencies(keys));
        }
        return keys;
    }

    /** A procedure call through a CallableStatement: what the configuration declares for it, or anything at all. */
    private String[] callKeys(QueryPlan plan, BoundParameters parameters) {
        if (plan.analysis().kind() == StatementKind.CALL && !plan.writesEverything()) {
            return writeKeysOf(plan, parameters);
        }
        return new String[] {engine.databaseVersionKey()};
    }

    /** For the DEBUG line of a write: what it invalidates, in words, and why. */
    private String whyWrites(QueryPlan plan) {
        if (!plan.writes() && plan.analysis().bypassReason() == BypassReason.UNKNOWN_FUNCTION) {
            return "whole database: it calls a function that may write anything";
        }
        return engine.dependencies().whyWrites(plan, inspector);
    }

    private String[] writeKeysOf(QueryPlan plan, BoundParameters parameters) {
        if (plan.writes()) {
            return engine.dependencies().writeKeys(plan, parameters, inspector);
        }
        if (plan.analysis().bypassReason() == BypassReason.UNKNOWN_FUNCTION) {
            // A function nothing is known about may write anything.
            return new String[] {engine.databaseVersionKey()};
        }
        return NO_KEYS;
    }

    private WriteTicket lease(String[] keys, boolean ddl) {
        if (keys.length == 0) {
            return null;
        }
        if (engine.skips().begin(keys, skipped)) {
            return skippedWrite(ddl);
        }
        return leaseUnskipped(keys, ddl);
    }

    /** No JVM caches what the write changes: no lease, no end; it stays in flight until it (or its transaction) ends. */
    private WriteTicket skippedWrite(boolean ddl) {
        if (transaction.inTransaction()) {
            transaction.wroteUnleased();
            return ddl ? SKIPPED_IN_TRANSACTION_DDL : SKIPPED_IN_TRANSACTION;
        }
        return ddl ? SKIPPED_AUTO_COMMIT_DDL : SKIPPED_AUTO_COMMIT;
    }

    /** Leases {@code keys} (not empty), whose skip was already refused. */
    private WriteTicket leaseUnskipped(String[] keys, boolean ddl) {
        long leaseMillis = engine.config().writeLeaseMillis();
        if (transaction.inTransaction()) {
            String[] unleased = transaction.unleased(keys);
            long leaseNanos = 0;
            if (unleased.length > 0) {
                // Every lease advances the write sequence, a transaction's later ones too: a snapshot reader
                // that finds it unchanged must be able to rely on no table having been leased meanwhile.
                String[] leasing = engine.withSequence(unleased);
                long started = clock.nanoTime();
                String[] tokens = writes.lease(leasing, leaseMillis, lock);
                long leased = clock.nanoTime();
                leaseNanos = leased - started;
                transaction.leased(leasing, tokens, leased);
            }
            return new WriteTicket(keys, null, true, ddl, leaseNanos);
        }
        String[] leasing = engine.withSequence(keys);
        long started = clock.nanoTime();
        // From before the lease is sent until the end has returned, this JVM's reads of these keys pass through
        // without a lookup that would only find the lease (OwnLeases). Not the write sequence: every read names it.
        engine.ownLeases().leasing(keys);
        if (engine.skips().gated(keys)) {
            // A skip permit is being granted for one of its tables, and the grant waits out this JVM's own leases
            // of it (issue #10): withdraw, wait for the grant (bounded; holding nothing), then skip under the permit
            // if it came, or lease as before.
            engine.ownLeases().ended(keys);
            engine.skips().awaitGates(keys);
            if (engine.skips().begin(keys, skipped)) {
                return skippedWrite(ddl);
            }
            started = clock.nanoTime();
            engine.ownLeases().leasing(keys);
        }
        CacheWrites.WriteLeases leases;
        try {
            leases = writes.leaseWrite(leasing, leaseMillis, lock);
        } catch (RuntimeException | Error e) {
            engine.ownLeases().ended(keys);
            throw e;
        }
        return new WriteTicket(leasing, leases.tokens(), false, ddl, clock.nanoTime() - started,
                leases.acknowledged(), leases.runs(), keys);
    }

    /** In auto-commit mode a write's leases end now; in a transaction they end with it. */
    private void afterWrite(WriteTicket ticket, boolean succeeded, Execution execution, boolean endsBeforeAWrite) {
        if (ticket == null) {
            return;
        }
        if (!ticket.inTransaction()) {
            boolean leased = ticket.keys().length > 0;
            long ending = leased ? clock.nanoTime() : 0;
            try {
                endWrite(ticket);
            } finally {
                if (ticket.ownLeased() != null) {
                    engine.ownLeases().ended(ticket.ownLeased());
                }
            }
            if (leftOpen(execution, succeeded)) {
                // A procedure (or a statement not understood) began a transaction on the server and left it open:
                // what it wrote is not committed. Its end above made no value stale; from now on the writes are
                // the transaction's, leased until its end, or another connection would store the old value under
                // tokens the real commit never changes.
                transaction.sqlBegin();
                String[] written = ticket.ownLeased();
                if (written != null && written.length > 0) {
                    leaseUnskipped(written, false);
                } else {
                    transaction.wroteUnleased();
                }
                return;
            }
            engine.skips().end(skipped);
            if (leased) {
                // What caching cost this write: its lease and its end, two round trips on the caller's thread.
                engine.policy().wrote(execution.plans(), ticket.leaseNanos() + clock.nanoTime() - ending);
            }
            return;
        }
        if (ticket.leaseNanos() > 0) {
            // A transaction's first write to its tables; its end, at the commit, is not weighed.
            engine.policy().wrote(execution.plans(), ticket.leaseNanos());
        }
        if (ticket.ddl() && engine.family().ddlCommitsTransaction() && succeeded && commitsAsDdl(execution)) {
            // In MySQL, MariaDB, H2 and HSQLDB, DDL commits the open transaction implicitly: its writes are visible
            // now, and a transaction begun with SQL BEGIN is over. Not a temporary table's, and not a statement that
            // failed (one the server could not parse committed nothing; one that failed later may have: its leases
            // then stay until the transaction's own end, which is safe).
            transaction.ended();
            if (!endsBeforeAWrite) {
                endTransactionLeases();
            }
        }
    }

    /** Whether a statement of the execution is DDL that commits (not a temporary table's: ended nothing). */
    private boolean commitsAsDdl(Execution execution) {
        for (QueryPlan plan : execution.plans()) {
            if (plan.analysis().kind() == StatementKind.DDL && !plan.analysis().createsTemporaryTable()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The one answer to "did this execution, begun outside a transaction, leave one open on the server?", which
     * decides whether its writes' leases stay until that transaction's end: asked after the call by both ways such
     * an execution is run, leased as the transaction's from the start ({@link #openedOrNot}) or as auto-commit
     * writes leased again ({@link #afterWrite}).
     *
     * <p>Statements the analysis knows that all succeeded are told by it: the last transaction statement begins one
     * (BEGIN, START TRANSACTION, ... AND CHAIN), or a session statement switched auto-commit off (read back before
     * {@link #openedOrNot} asks). A procedure, a statement not understood (a multi-statement string), or a failed
     * batch (its BEGIN may not have run) is told by the driver's view of the server's status: pgjdbc's is kept from
     * every reply, Connector/J's from OK replies only (no round trip; MariaDB's may ask {@code @@in_transaction}).
     * After a failure Connector/J's may be older than the error, so the server is asked (one round trip, failures
     * only; {@link SessionProbe#transactionOpen}). When the driver cannot tell, a successful batch's own BEGIN is
     * trusted if no statement in it was not understood; the rest is taken as closed, as before
     * (docs/consistency.md).
     */
    private boolean leftOpen(Execution execution, boolean succeeded) {
        boolean unknown = false;
        boolean session = false;
        for (QueryPlan plan : execution.plans()) {
            StatementKind kind = plan.analysis().kind();
            unknown |= kind == StatementKind.UNKNOWN;
            session |= kind == StatementKind.SESSION;
        }
        boolean begins = Boolean.TRUE.equals(lastBoundary(execution));
        if (succeeded && !opaque(execution)) {
            return begins || (session && !transaction.autoCommit());
        }
        Boolean open = transactionOpen(!succeeded);
        return open != null ? open : succeeded && !unknown && begins;
    }

    /**
     * What the last statement of the execution that begins or ends a transaction does: {@code TRUE} it begins one
     * (BEGIN, START TRANSACTION, ... AND CHAIN), {@code FALSE} it ends one (COMMIT, ROLLBACK, or a statement that
     * commits implicitly and opens nothing: DDL where the database commits, and on MySQL and MariaDB TRUNCATE, LOCK
     * TABLES, ANALYZE / CHECK / OPTIMIZE / REPAIR TABLE), {@code null} when none does. Without the implicit
     * commits, a batch like {@code BEGIN; UPDATE ...; CREATE TABLE ...} was taken to leave its transaction open.
     */
    private Boolean lastBoundary(Execution execution) {
        Boolean last = null;
        for (QueryPlan plan : execution.plans()) {
            TransactionControl control = plan.analysis().transactionControl();
            if (plan.analysis().kind() == StatementKind.TRANSACTION_CONTROL && control != null) {
                switch (control) {
                    case BEGIN, BEGIN_WITH_ISOLATION, COMMIT_AND_CHAIN, ROLLBACK_AND_CHAIN -> last = Boolean.TRUE;
                    case COMMIT, ROLLBACK -> last = Boolean.FALSE;
                    default -> {
                        // Savepoints and SET TRANSACTION neither open nor end one.
                    }
                }
            } else if (endsTransaction(plan) || (engine.family().isMySqlLike()
                    && (plan.analysis().kind() == StatementKind.TRUNCATE || plan.maintainsTables()
                            || plan.tableLocks() > 0))) {
                last = Boolean.FALSE;
            }
        }
        return last;
    }

    /**
     * A successful execution left this session in a transaction begun with SQL in auto-commit mode: whether the
     * server still has it open. A batch of known statements whose last transaction boundary commits (implicitly, as
     * {@code BEGIN; ...; ANALYZE TABLE t} does) left none, whatever the BEGIN before it made of this session's state
     * (afterExecute); a procedure or a statement not understood (FLUSH, a compound statement holding COMMIT) is told
     * by the driver's view of the server's status, fresh after a success (no round trip). Kept open here, the
     * transaction's leases would outlive their expiry, and later writes, each committed at once by the server, would
     * be taken for more of its writes and neither leased again nor ended.
     */
    private void closedOnTheServer(Execution execution) {
        boolean closed = opaque(execution) ? transactionIdle()
                : execution.plans().size() > 1 && Boolean.FALSE.equals(lastBoundary(execution));
        if (closed) {
            transaction.ended();
            endTransactionLeases();
        }
    }

    /** A procedure call or a statement not understood: what it did to the transaction is not in its analysis. */
    private static boolean opaque(Execution execution) {
        if (execution.kind() == Execution.Kind.CALL || execution.kind() == Execution.Kind.CALL_UPDATE) {
            return true;
        }
        for (QueryPlan plan : execution.plans()) {
            StatementKind kind = plan.analysis().kind();
            if (kind == StatementKind.CALL || kind == StatementKind.UNKNOWN) {
                return true;
            }
        }
        return false;
    }

    /** Keeps transaction and session state in step with the database after any statement. */
    private void afterExecute(QueryPlan plan, boolean succeeded, boolean endsBeforeAWrite) {
        StatementKind kind = plan.analysis().kind();
        if (kind == StatementKind.DDL) {
            engine.schemaChanged();
        }
        // A LOCK TABLES that failed holds nothing (the locks held before are released first): an UNLOCK TABLES after
        // it must not be taken for a commit (commitsFirst) while the transaction's writes are still open.
        int tableLocks = plan.tableLocks();
        transaction.tableLocks(succeeded || tableLocks <= 0 ? tableLocks : -1);
        if (plan.analysis().bypassReason() == BypassReason.UNKNOWN_FUNCTION) {
            // set_config('app.tenant', ...) may have changed what the session's queries see.
            sessionChanged();
        }
        if (kind == StatementKind.TRANSACTION_CONTROL) {
            transactionControl(plan.analysis().transactionControl(), succeeded, endsBeforeAWrite);
        } else if (kind == StatementKind.SESSION) {
            sessionChanged();
            refreshSessionState();
        } else if (plan.analysis().createsTemporaryTable()) {
            // A temporary table may shadow a real one for this connection only: its keys must not be shared.
            sessionChanged();
        }
    }

    private void endTransactionLeases() {
        TransactionTracker.Leases leases = transaction.drainLeases();
        endLeases(leases.keys(), leases.tokens());
        engine.skips().end(skipped);
    }

    private void endLeases(String[] keys, String[] tokens) {
        if (invalidating(keys)) {
            writes.endLeases(keys, tokens, engine.tokenTtls(keys), lock);
        }
    }

    /** An auto-commit write's end: told to nobody when its acknowledged leases stood (CacheWrites.endWrite). */
    private void endWrite(WriteTicket ticket) {
        String[] keys = ticket.keys();
        if (invalidating(keys)) {
            writes.endWrite(keys, ticket.leaseTokens(), ticket.acknowledged(), ticket.runs(), engine.tokenTtls(keys),
                    lock);
        }
    }

    private boolean invalidating(String[] keys) {
        if (keys.length == 0) {
            return false;
        }
        statistics.invalidated(keys.length);
        statistics.invalidatedKeys(keys);
        if (LOG.isDebugEnabled()) {
            LOG.debug("sqlcache invalidate {}", Explain.dependencies(keys));
        }
        return true;
    }

    /**
     * @param endsBeforeAWrite the batch writes after this end ({@link #endedBeforeAWrite} ends the leases, or not,
     *     once the whole batch is known)
     */
    private void transactionControl(TransactionControl control, boolean succeeded, boolean endsBeforeAWrite) {
        if (control == null) {
            return;
        }
        if (!succeeded && transactionEnd(control)) {
            transactionEndFailed(control);
            return;
        }
        if ((control == TransactionControl.BEGIN || control == TransactionControl.BEGIN_WITH_ISOLATION)
                && engine.family().isMySqlLike()) {
            // MySQL and MariaDB release the session's table locks at BEGIN: a later UNLOCK TABLES commits nothing.
            transaction.tableLocks(-1);
        }
        switch (control) {
            case BEGIN -> transaction.sqlBegin();
            case BEGIN_WITH_ISOLATION -> {
                transaction.sqlBegin();
                transaction.transactionIsolationUnknown();
            }
            case COMMIT, ROLLBACK -> ended(endsBeforeAWrite);
            case COMMIT_AND_CHAIN, ROLLBACK_AND_CHAIN -> {
                boolean ownIsolation = transaction.chainedIsolationUnknown();
                ended(endsBeforeAWrite);
                chain(ownIsolation);
            }
            case SET_TRANSACTION -> transaction.isolationUnknown();
            default -> {
                // Savepoints neither end the transaction nor make anything visible to others.
            }
        }
    }

    /** A SQL COMMIT or ROLLBACK returned: its leases end with it, unless the batch wrote after it. */
    private void ended(boolean endsBeforeAWrite) {
        transaction.ended();
        if (!endsBeforeAWrite) {
            endTransactionLeases();
        }
    }

    private static boolean transactionEnd(TransactionControl control) {
        return control == TransactionControl.COMMIT || control == TransactionControl.COMMIT_AND_CHAIN
                || control == TransactionControl.ROLLBACK || control == TransactionControl.ROLLBACK_AND_CHAIN;
    }

    /**
     * SQL COMMIT or ROLLBACK (alone, or in a batch) failed: whether the transaction is still open is unknown (a batch
     * may have failed before it; MySQL may keep it open). As when {@link java.sql.Connection#commit} or
     * {@link java.sql.Connection#rollback} fails: the leases stay until a commit or rollback succeeds (ending them
     * while the writes may still commit later would let other JVMs store what that commit makes stale), what a
     * commit may have made visible is invalidated, and the snapshot is not trusted any more.
     */
    private void transactionEndFailed(TransactionControl control) {
        if (control == TransactionControl.COMMIT || control == TransactionControl.COMMIT_AND_CHAIN) {
            commitFailed();
        }
        transaction.loseSnapshot();
        if (transaction.autoCommit() && Boolean.FALSE.equals(transactionOpen(true))) {
            // Begun with SQL in auto-commit mode, and over on the server (a batch whose COMMIT ran before a later
            // statement failed): kept open here, its leases would expire while later writes, each committed at
            // once by the server, were taken for more of the transaction's and neither leased again nor ended.
            transaction.ended();
            endTransactionLeases();
        }
    }

    /** The driver's answer, {@code null} when it cannot tell or the asking fails. */
    private Boolean transactionOpen(boolean afterAFailure) {
        try {
            return probe.transactionOpen(afterAFailure);
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    /** The chained transaction keeps the ended one's characteristics, including an isolation set by SQL. */
    private void chain(boolean isolationSetBySql) {
        transaction.sqlBegin();
        if (isolationSetBySql) {
            transaction.transactionIsolationUnknown();
        }
    }

    // ---- transaction events

    @Override
    public void commit(SqlRun commit) throws SQLException {
        beforeCommit();
        try {
            commit.run();
        } catch (SQLException | RuntimeException e) {
            commitFailed();
            throw e;
        }
        committed();
    }

    /**
     * What every commit of a transaction needs first, whichever way it comes: {@link java.sql.Connection#commit},
     * SQL COMMIT or COMMIT AND CHAIN, {@code setAutoCommit(true)}, DDL that commits implicitly,
     * {@code SET autocommit = 1}, a statement not understood ({@link #mayCommit}), BEGIN, START TRANSACTION,
     * LOCK TABLES and UNLOCK TABLES on MySQL and MariaDB ({@link #commitsFirst}).
     * Without it a transaction whose skip permit lapsed, or whose leases may have expired, would commit with tables
     * not leased, and a snapshot reader pinned before the commit could be served what it wrote.
     */
    private void beforeCommit() {
        leaseUncoveredSkips();
        renewOldLeases();
    }

    /**
     * Skipping writes of this transaction whose permit no longer covers them (released after writeLease, lost, past
     * its validity): their tables are leased now, as ordinary writes, and those leases end after the commit, like
     * the transaction's own (the snapshot rule needs every write to lie inside a lease; see SkipGuard).
     */
    private void leaseUncoveredSkips() {
        String[] uncovered = engine.skips().uncoveredBeforeCommit(skipped);
        if (uncovered == null) {
            return;
        }
        String[] unleased = transaction.unleased(uncovered);
        if (unleased.length > 0) {
            String[] leasing = engine.withSequence(unleased);
            String[] tokens = writes.lease(leasing, engine.config().writeLeaseMillis(), lock);
            transaction.leased(leasing, tokens, clock.nanoTime());
        }
    }

    /**
     * Leases placed more than half their lifetime ago may have expired: then this transaction's tables would be
     * readable and storable between its commit and its end, and a snapshot reader pinned before the commit could
     * be served what the commit wrote. Place them again (advancing the write sequence) right before committing.
     */
    private void renewOldLeases() {
        long leaseNanos = TimeUnit.MILLISECONDS.toNanos(engine.config().writeLeaseMillis());
        if (transaction.leasesOlderThan(leaseNanos / 2, clock.nanoTime())) {
            String[] keys = transaction.leasedKeys();
            transaction.renewed(keys, writes.leaseAgain(keys, transaction.leaseTokens(), engine.config().writeLeaseMillis(),
                    lock), clock.nanoTime());
        }
    }

    /**
     * A commit failed: the transaction may have committed (the answer was lost) or may still be open (the driver
     * refused). Invalidate what it wrote, but keep treating those tables as written by this connection until a
     * commit or rollback succeeds.
     */
    private void commitFailed() {
        String[] written = transaction.leasedKeys();
        if (written.length > 0) {
            statistics.invalidated(written.length);
            statistics.invalidatedKeys(written);
            writes.bump(written, engine.tokenTtls(written), lock);
        }
    }

    /** A commit returned: what the transaction wrote is invalidated. */
    private void committed() {
        transaction.ended();
        endTransactionLeases();
    }

    /**
     * A rollback returned: nothing written became visible, but the leases must end for caching to resume (the
     * fresh tokens they leave invalidate nothing that was right).
     */
    private void rolledBack() {
        transaction.ended();
        endTransactionLeases();
    }

    @Override
    public void rollback(SqlRun rollback) throws SQLException {
        rollback.run();
        rolledBack();
    }

    @Override
    public void setAutoCommit(boolean autoCommit, SqlRun change) throws SQLException {
        boolean before = transaction.autoCommit();
        if (autoCommit && !before) {
            beforeCommit();
        }
        boolean changed = false;
        try {
            change.run();
            changed = true;
        } finally {
            if (changed && autoCommit != before) {
                autoCommitChanged(autoCommit);
            } else if (!changed && autoCommit && !before) {
                // The switch failed, but the commit it implies may have happened, or the transaction may still be
                // open: as a failed commit, invalidate what it wrote and keep its leases until it ends for sure.
                commitFailed();
            }
        }
    }

    /** Switching auto-commit on commits the open transaction (JDBC says so); switching it off starts one. */
    private void autoCommitChanged(boolean autoCommit) {
        transaction.setAutoCommit(autoCommit);
        if (autoCommit) {
            committed();
        }
    }

    @Override
    public void setTransactionIsolation(int level, SqlRun change) throws SQLException {
        change.run();
        transaction.setIsolation(level);
    }

    @Override
    public void setCatalog(String catalog, SqlRun change) throws SQLException {
        change.run();
        this.catalog = catalog;
        this.context = computeContext();
    }

    @Override
    public void setSchema(String schema, SqlRun change) throws SQLException {
        change.run();
        this.schema = schema;
        this.context = computeContext();
    }

    @Override
    public void ranOutsideTheCache() {
        transaction.statementRuns();
    }

    // ---- session state

    /**
     * A SET, USE or similar statement may have changed anything that shapes a result (search path, role, time
     * zone, ...). From now on this connection's entries are its own: still invalidated by every write, never shared
     * with connections whose session differs.
     */
    private void sessionChanged() {
        sessionSalt = UUID.randomUUID().toString();
        context = computeContext();
    }

    /** After SQL that may have changed session state, read it back from the real connection. */
    private void refreshSessionState() {
        try {
            catalog = probe.catalog();
            schema = probe.schema();
            context = computeContext();
        } catch (SQLException e) {
            // The session salt already isolates this connection's entries; the names are only a refinement.
        }
        try {
            boolean nowAutoCommit = probe.autoCommit();
            if (nowAutoCommit != transaction.autoCommit()) {
                autoCommitChanged(nowAutoCommit);
            }
            transaction.setIsolation(probe.isolation());
        } catch (SQLException e) {
            transaction.isolationUnknown();
        }
        readSqlMode();
    }

    /**
     * Gives back this connection's own user lock (MariaDB) before the real close, which may hand the physical session
     * back to a pool rather than end it. Only with no transaction open on the server: a close that commits could
     * then still write, and the lock must hold until it has. The entry registered for the lock stays until
     * {@link #close()}: an entry whose lock is free only lets a lapsed member be dropped early, and nothing can
     * write on this session through this connection any more.
     */
    @Override
    public void closing() {
        if (closed || !taken.locked()) {
            return;
        }
        try {
            if (probe.transactionIdle()) {
                probe.releaseOwnLock();
            }
        } catch (SQLException | RuntimeException e) {
            // Kept until the physical session ends, as before.
            LOG.debug("sqlcache: could not release this connection's session lock: {}", e.toString());
        }
    }

    /**
     * The connection is closing or aborting with a transaction maybe open. Some drivers commit on close; assume
     * the writes became visible.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                endTransactionLeases();
            } finally {
                // Its entry need not be published for it any more (an old primary's, after a failover): the lock as
                // taken, since a statement that released it set the field to NONE, which registered nothing.
                taken.release();
            }
        }
    }
}
