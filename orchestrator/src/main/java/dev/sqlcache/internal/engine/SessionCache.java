package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.StatementKind;
import dev.sqlcache.internal.analysis.TransactionControl;
import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.CorruptEntryException;
import dev.sqlcache.internal.codec.ResultCodec;
import dev.sqlcache.internal.guard.CacheReads;
import dev.sqlcache.internal.guard.CacheWrites;
import dev.sqlcache.internal.key.BoundParameters;
import dev.sqlcache.internal.key.CacheKeyBuilder;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.stats.BypassReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;

/**
 * The cache as seen by one JDBC connection ({@link CacheSession}): its key context (database, user, catalog, schema,
 * time zone) and its transaction. Every execution takes the same steps in the same order here, whichever JDBC
 * method started it: decide, lease what it may write, run, end or keep the leases, track transaction and session
 * state. Not thread-safe, like a connection.
 */
public final class SessionCache implements CacheSession {

    private static final Logger LOG = LoggerFactory.getLogger(SessionCache.class);
    private static final String[] NO_KEYS = new String[0];

    private final CacheEngine engine;
    private final CacheReads reads;
    private final CacheWrites writes;
    private final StatisticsRecorder statistics;
    private final String user;
    private final String timeZone;
    private final TransactionTracker transaction;
    private final SchemaInspector inspector;
    private final SessionProbe probe;
    private final dev.sqlcache.internal.time.Clock clock;
    private final String connectionSettings;
    /** Why every read of this connection passes through, or null. */
    private BypassReason readsOff;
    private String catalog;
    private String schema;
    private String sessionSalt = "";
    private byte[] context;
    private boolean closed;
    /** MySQL and MariaDB: false when the session's sql_mode has NO_BACKSLASH_ESCAPES (its SQL then reads otherwise). */
    private boolean backslashEscapes = true;

    SessionCache(CacheEngine engine, SessionState state, String connectionSettings, SchemaInspector inspector,
                 SessionProbe probe) {
        this.engine = engine;
        this.reads = engine.reads();
        this.writes = engine.writes();
        this.statistics = engine.recorder();
        this.connectionSettings = connectionSettings;
        this.inspector = inspector;
        this.probe = probe;
        this.clock = engine.clock();
        this.user = state.user();
        // Drivers turn DATE/TIME/TIMESTAMP into java.sql objects in the JVM's zone: part of what a result means.
        this.timeZone = TimeZone.getDefault().getID();
        this.transaction = new TransactionTracker(state.autoCommit(), state.isolation());
        this.catalog = state.catalog();
        this.schema = state.schema();
        this.context = computeContext();
        readSqlMode();
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
        ReadOutcome decision = execution.readOnly() ? decide(execution) : bypass(BypassReason.RESULT_SET_MODE, plan);
        if (decision instanceof ReadOutcome.Hit hit) {
            return new QueryOutcome.Hit(hit.result());
        }
        // What the database takes, for the policy: on a miss, and on a read it keeps away from the cache.
        boolean measured = decision instanceof ReadOutcome.Miss
                || decision == ReadOutcome.Bypass.of(BypassReason.NOT_WORTH_CACHING);
        long started = measured ? clock.nanoTime() : 0;
        ResultSet real = run(execution, query);
        if (measured) {
            engine.policy().ran(plan, clock.nanoTime() - started);
        }
        Capture capture = null;
        if (real != null && decision instanceof ReadOutcome.Miss miss) {
            capture = Capture.begin(this, miss, real, engine.config().maxRows(), engine.config().maxBytes());
        }
        return new QueryOutcome.Ran(real, capture);
    }

    @Override
    public <T> T execute(Execution execution, SqlCall<T> statement) throws SQLException {
        countPassThrough(execution);
        return run(execution, statement);
    }

    /** A statement that reads but is not served by the cache: counted as a bypass, with its reason. */
    private void countPassThrough(Execution execution) {
        switch (execution.kind()) {
            case CALL -> statistics.bypass(BypassReason.CALLABLE);
            case STATEMENT -> {
                QueryPlan plan = execution.plan();
                if (plan.analysis().kind() == StatementKind.SELECT && !plan.cacheable()) {
                    statistics.bypass(plan.analysis().bypassReason());
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
        WriteTicket write = beforeWrite(execution);
        try {
            return call.call();
        } finally {
            afterWrite(write);
            for (QueryPlan plan : execution.plans()) {
                afterExecute(plan);
            }
        }
    }

    // ---- reads

    /** Decides a read before it runs: serve, run and store, or run only. */
    private ReadOutcome decide(Execution execution) {
        QueryPlan plan = execution.plan();
        BoundParameters parameters = execution.parameters();
        if (!engine.config().enabled()) {
            return bypass(BypassReason.DISABLED, plan);
        }
        if (readsOff != null) {
            return bypass(readsOff, plan);
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
        Dependencies.ReadKeys dependsOn = engine.dependencies().readKeys(layout, parameters);
        String[] versionKeys = dependsOn.versionKeys();
        if (!transaction.mayRead(versionKeys)) {
            return bypass(BypassReason.TRANSACTION_STATE, plan);
        }
        BypassReason notNow = engine.policy().admit(plan);
        if (notNow != null) {
            return bypass(notNow, plan);
        }
        String key = CacheKeyBuilder.entryKey(plan.analysis().keyTable(), context, plan.analysis().normalizedSql(),
                parameters, execution.maxRows(), execution.maxFieldSize());
        Object landing = engine.pendingStores().pending(key);
        long lookupStarted = clock.nanoTime();
        CacheStore.Lookup lookup = reads.lookup(key, versionKeys, dependsOn.creation());
        if (lookup == null) {
            return bypass(BypassReason.CACHE_UNAVAILABLE, plan);
        }
        String[] tokens = lookup.versions();
        if (tokens[CacheEngine.FENCE_INDEX] == null) {
            return bypass(BypassReason.FENCED, plan);
        }
        for (String token : tokens) {
            if (CacheStore.isLease(token)) {
                return bypass(BypassReason.WRITE_IN_PROGRESS, plan);
            }
        }
        byte[] entry = lookup.entry();
        CachedResult result = null;
        if (entry != null) {
            try {
                result = ResultCodec.decodeIfCurrent(entry, tokens);
            } catch (CorruptEntryException e) {
                LOG.debug("sqlcache: unreadable entry {} treated as a miss: {}", key, e.getMessage());
            }
        }
        if (result == null && landing != null) {
            // The store is on its way (the entry is missing, or an older one is still there).
            result = PendingStores.ifCurrent(landing, tokens);
        }
        engine.policy().lookedUp(plan, clock.nanoTime() - lookupStarted, result != null);
        if (result != null) {
            statistics.hit();
            if (LOG.isDebugEnabled()) {
                LOG.debug("sqlcache hit: {} depending on {}", sqlOf(plan), Explain.dependencies(versionKeys));
            }
            return new ReadOutcome.Hit(key, result);
        }
        statistics.miss();
        if (LOG.isDebugEnabled()) {
            LOG.debug("sqlcache miss{}: {} depending on {}", entry == null ? "" : " (stale entry)", sqlOf(plan),
                    Explain.dependencies(versionKeys));
        }
        return new ReadOutcome.Miss(plan, key, versionKeys, tokens, plan.ttlSeconds(), transaction.epoch());
    }

    /** The statement as logs name it: its normalized text, never a bound value. */
    private static String sqlOf(QueryPlan plan) {
        String sql = plan.analysis().normalizedSql();
        return sql != null ? sql : plan.analysis().kind() + " " + (plan.analysis().tablesWritten().isEmpty()
                ? plan.analysis().tablesRead() : plan.analysis().tablesWritten());
    }

    private ReadOutcome bypass(BypassReason reason, QueryPlan plan) {
        statistics.bypass(reason);
        if (LOG.isDebugEnabled()) {
            LOG.debug("sqlcache bypass ({}): {}", reason, sqlOf(plan));
        }
        return ReadOutcome.Bypass.of(reason);
    }

    /** Counts a read that went to the database after all (a copy that could not be kept). */
    void bypassed(BypassReason reason) {
        statistics.bypass(reason);
    }

    /** A missed read was fully consumed: store it if nothing this connection did since makes it unsafe. */
    void store(ReadOutcome.Miss miss, CachedResult result) {
        if (!transaction.mayStore(miss.transactionEpoch())) {
            LOG.debug("sqlcache: {} not stored, written by this transaction meanwhile", miss.key());
            return;
        }
        byte[] bytes = ResultCodec.encode(miss.tokens(), result);
        // Off the caller's thread: the caller pays its query and the lookup's round trip, nothing more.
        PendingStores pending = engine.pendingStores();
        Object handle = pending.add(miss.key(), miss.tokens(), result);
        reads.putLater(miss.key(), bytes, miss.ttlSeconds(), miss.versionKeys(), miss.tokens(), stored -> {
            pending.landed(miss.key(), handle);
            if (stored) {
                statistics.stored();
                engine.policy().stored(miss.plan());
            }
        });
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
                    if (!plan.mayWrite()) {
                        yield null;
                    }
                    String[] keys = writeKeysOf(plan, execution.parameters());
                    if (LOG.isDebugEnabled()) {
                        LOG.debug("sqlcache write: {} invalidates {}: {}", sqlOf(plan), whyWrites(plan),
                                Explain.dependencies(keys));
                    }
                    yield lease(keys, plan.analysis().kind() == StatementKind.DDL);
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
        long leaseMillis = engine.config().writeLeaseMillis();
        if (transaction.inTransaction()) {
            String[] unleased = transaction.unleased(keys);
            if (unleased.length > 0) {
                transaction.leased(unleased, writes.lease(unleased, leaseMillis));
            }
            return new WriteTicket(keys, null, true, ddl);
        }
        return new WriteTicket(keys, writes.lease(keys, leaseMillis), false, ddl);
    }

    /** In auto-commit mode a write's leases end now; in a transaction they end with it. */
    private void afterWrite(WriteTicket ticket) {
        if (ticket == null) {
            return;
        }
        if (!ticket.inTransaction()) {
            endLeases(ticket.keys(), ticket.leaseTokens());
        } else if (ticket.ddl() && engine.family().ddlCommitsTransaction()) {
            // In MySQL, MariaDB, H2 and HSQLDB, DDL commits the open transaction implicitly: its writes are visible now, and a
            // transaction begun with SQL BEGIN is over.
            transaction.ended();
            endTransactionLeases();
        }
    }

    /** Keeps transaction and session state in step with the database after any statement. */
    private void afterExecute(QueryPlan plan) {
        StatementKind kind = plan.analysis().kind();
        if (kind == StatementKind.DDL) {
            engine.schemaChanged();
        }
        if (plan.analysis().bypassReason() == BypassReason.UNKNOWN_FUNCTION) {
            // set_config('app.tenant', ...) may have changed what the session's queries see.
            sessionChanged();
        }
        if (kind == StatementKind.TRANSACTION_CONTROL) {
            transactionControl(plan.analysis().transactionControl());
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
    }

    private void endLeases(String[] keys, String[] tokens) {
        if (keys.length == 0) {
            return;
        }
        statistics.invalidated(keys.length);
        if (LOG.isDebugEnabled()) {
            LOG.debug("sqlcache invalidate {}", Explain.dependencies(keys));
        }
        writes.endLeases(keys, tokens, engine.tokenTtls(keys));
    }

    private void transactionControl(TransactionControl control) {
        if (control == null) {
            return;
        }
        switch (control) {
            case BEGIN -> transaction.sqlBegin();
            case BEGIN_WITH_ISOLATION -> {
                transaction.sqlBegin();
                transaction.transactionIsolationUnknown();
            }
            case COMMIT -> committed();
            case ROLLBACK -> rolledBack();
            case COMMIT_AND_CHAIN -> {
                boolean ownIsolation = transaction.chainedIsolationUnknown();
                committed();
                chain(ownIsolation);
            }
            case ROLLBACK_AND_CHAIN -> {
                boolean ownIsolation = transaction.chainedIsolationUnknown();
                rolledBack();
                chain(ownIsolation);
            }
            case SET_TRANSACTION -> transaction.isolationUnknown();
            default -> {
                // Savepoints neither end the transaction nor make anything visible to others.
            }
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
        try {
            commit.run();
        } catch (SQLException | RuntimeException e) {
            commitFailed();
            throw e;
        }
        committed();
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
            writes.bump(written, engine.tokenTtls(written));
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
        boolean changed = false;
        try {
            change.run();
            changed = true;
        } finally {
            if (changed && autoCommit != before) {
                autoCommitChanged(autoCommit);
            } else if (!changed && autoCommit && !before) {
                // The switch failed, but the commit it implies may have happened: invalidating too much is safe.
                committed();
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
     * The connection is closing or aborting with a transaction maybe open. Some drivers commit on close; assume
     * the writes became visible.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            endTransactionLeases();
        }
    }
}
