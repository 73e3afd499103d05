package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.analysis.StatementKind;
import dev.sqlcache.internal.analysis.TransactionControl;
import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.CorruptEntryException;
import dev.sqlcache.internal.codec.ResultCodec;
import dev.sqlcache.internal.key.BoundParameters;
import dev.sqlcache.internal.key.CacheKeyBuilder;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.internal.store.CacheStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.TimeZone;
import java.util.UUID;

/**
 * The cache as seen by one JDBC connection: its key context (database, user, catalog, schema, time zone) and its
 * transaction. The JDBC wrappers report what happens; this class decides. Not thread-safe, like a connection.
 */
public final class SessionCache {

    private static final Logger LOG = LoggerFactory.getLogger(SessionCache.class);
    private static final String[] NO_KEYS = new String[0];

    private final CacheEngine engine;
    private final StoreGuard store;
    private final StatisticsRecorder statistics;
    private final String user;
    private final String timeZone;
    private final TransactionTracker transaction;
    private final SchemaInspector inspector;
    private final String connectionSettings;
    /** Why every read of this connection passes through, or null. */
    private BypassReason readsOff;
    private String catalog;
    private String schema;
    private String sessionSalt = "";
    private byte[] context;

    SessionCache(CacheEngine engine, String user, String catalog, String schema, boolean autoCommit, int isolation,
                 String connectionSettings, SchemaInspector inspector) {
        this.engine = engine;
        this.connectionSettings = connectionSettings;
        this.inspector = inspector;
        this.store = engine.store();
        this.statistics = store.statistics();
        this.user = user;
        // Drivers turn DATE/TIME/TIMESTAMP into java.sql objects in the JVM's zone: part of what a result means.
        this.timeZone = TimeZone.getDefault().getID();
        this.transaction = new TransactionTracker(autoCommit, isolation);
        this.catalog = catalog;
        this.schema = schema;
        this.context = computeContext();
    }

    private byte[] computeContext() {
        return CacheKeyBuilder.contextDigest(engine.databaseVersionKey(), user, catalog, schema, timeZone,
                connectionSettings, sessionSalt);
    }

    public CacheEngine engine() {
        return engine;
    }

    /**
     * Decides a read before it runs.
     *
     * @param parameters bound values of a prepared statement, or null for a plain statement
     */
    public ReadOutcome beginRead(QueryPlan plan, BoundParameters parameters, long maxRows, int maxFieldSize) {
        if (!engine.config().enabled()) {
            return bypass(BypassReason.DISABLED, plan);
        }
        if (readsOff != null) {
            return bypass(readsOff, plan);
        }
        if (!plan.cacheable()) {
            return bypass(plan.analysis().bypassReason(), plan);
        }
        if (!transaction.mayRead(plan.readVersionKeys())) {
            return bypass(BypassReason.TRANSACTION_STATE, plan);
        }
        if (parameters != null ? !parameters.isKeyable(plan.parameterCount()) : plan.parameterCount() != 0) {
            return bypass(BypassReason.UNSUPPORTED_PARAMETER, plan);
        }
        if (!readsPlainTablesOnly(plan)) {
            return bypass(BypassReason.NOT_A_PLAIN_TABLE, plan);
        }
        String key = CacheKeyBuilder.entryKey(plan.analysis().keyTable(), context, plan.analysis().normalizedSql(),
                parameters, maxRows, maxFieldSize);
        String[] versionKeys = plan.readVersionKeys();
        var lookup = store.lookup(key, versionKeys);
        if (lookup == null) {
            return bypass(BypassReason.CACHE_UNAVAILABLE, plan);
        }
        String[] tokens = lookup.versions();
        if (tokens[CacheEngine.FENCE_INDEX] == null) {
            return bypass(BypassReason.FENCED, plan);
        }
        if (anyMissing(tokens)) {
            // Never the fence (FENCE_INDEX = 0): set-if-absent would create it again, without expiry, when it
            // vanished since the lookup. The put checks the fence token seen here.
            String[] created = store.initVersions(Arrays.copyOfRange(versionKeys, 1, versionKeys.length));
            if (created == null) {
                return bypass(BypassReason.CACHE_UNAVAILABLE, plan);
            }
            String fence = tokens[CacheEngine.FENCE_INDEX];
            tokens = new String[versionKeys.length];
            tokens[CacheEngine.FENCE_INDEX] = fence;
            System.arraycopy(created, 0, tokens, 1, created.length);
        }
        for (String token : tokens) {
            if (CacheStore.isLease(token)) {
                return bypass(BypassReason.WRITE_IN_PROGRESS, plan);
            }
        }
        byte[] entry = lookup.entry();
        if (entry != null) {
            try {
                if (Arrays.equals(ResultCodec.readTokens(entry), tokens)) {
                    CachedResult result = ResultCodec.decode(entry);
                    statistics.hit();
                    if (LOG.isDebugEnabled()) {
                        LOG.debug("sqlcache hit {}", key);
                    }
                    return new ReadOutcome.Hit(key, result);
                }
            } catch (CorruptEntryException e) {
                LOG.debug("sqlcache: unreadable entry {} treated as a miss: {}", key, e.getMessage());
            }
        }
        statistics.miss();
        if (LOG.isDebugEnabled()) {
            LOG.debug("sqlcache miss {}{}", key, entry == null ? "" : " (stale entry)");
        }
        return new ReadOutcome.Miss(key, versionKeys, tokens, plan.ttlSeconds(), transaction.epoch());
    }

    private static boolean anyMissing(String[] tokens) {
        for (String token : tokens) {
            if (token == null) {
                return true;
            }
        }
        return false;
    }

    /**
     * A view is invalidated by no write (its base tables are written, not its name), a temporary table shadows a
     * real one for this connection only: only base tables the metadata knows are cached.
     */
    private boolean readsPlainTablesOnly(QueryPlan plan) {
        long epoch = engine.schemaEpoch();
        QueryPlan.Resolved known = plan.readCheck();
        if (known != null && known.epoch() == epoch) {
            return known.plainTables();
        }
        boolean plain = true;
        boolean certain = true;
        for (String table : plan.analysis().tablesRead()) {
            TableFacts facts = engine.facts(table, inspector);
            certain &= facts != TableFacts.UNKNOWN;
            plain &= facts.plainTable();
        }
        if (certain) {
            plan.readCheck(new QueryPlan.Resolved(epoch, plain, null));
        }
        return plain;
    }

    /**
     * The version keys a write bumps: its tables, the tables foreign key actions change with them, and the whole
     * database when a trigger may write anywhere.
     */
    private String[] writeKeys(QueryPlan plan, boolean ddl) {
        if (ddl || plan.writesEverything()) {
            return plan.writeVersionKeys();
        }
        String normalized = plan.analysis().normalizedSql();
        if (plan.analysis().kind() == StatementKind.TRUNCATE && (normalized == null || normalized.contains("cascade"))) {
            // PostgreSQL's TRUNCATE ... CASCADE empties every referencing table, whatever its foreign key rules.
            return new String[] {engine.databaseVersionKey()};
        }
        long epoch = engine.schemaEpoch();
        QueryPlan.Resolved known = plan.writeCheck();
        if (known != null && known.epoch() == epoch) {
            return known.writeKeys();
        }
        java.util.Set<String> keys = new java.util.LinkedHashSet<>(Arrays.asList(plan.writeVersionKeys()));
        boolean certain = true;
        boolean everything = false;
        for (String table : plan.analysis().tablesWritten()) {
            TableFacts facts = engine.facts(table, inspector);
            certain &= facts != TableFacts.UNKNOWN;
            if (facts.hasTriggers()) {
                var declared = engine.config().triggerWrites().tablesFor(table);
                if (declared.isEmpty()) {
                    everything = true;
                    break;
                }
                for (String target : declared.get()) {
                    keys.add(engine.versionKey(CacheEngine.baseName(target)));
                }
            }
            for (String dependent : facts.cascadeDependents()) {
                keys.add(engine.versionKey(dependent));
            }
        }
        String[] result = everything ? new String[] {engine.databaseVersionKey()} : keys.toArray(String[]::new);
        if (certain) {
            plan.writeCheck(new QueryPlan.Resolved(epoch, true, result));
        }
        return result;
    }

    private ReadOutcome bypass(BypassReason reason, QueryPlan plan) {
        statistics.bypass(reason);
        if (LOG.isDebugEnabled()) {
            LOG.debug("sqlcache bypass ({}) {} reading {}", reason, plan.analysis().kind(), plan.analysis().tablesRead());
        }
        return ReadOutcome.Bypass.of(reason);
    }

    /**
     * Sends every read of this connection to the database, for a reason known when it was opened (writes still
     * invalidate for the others).
     */
    public void passThroughReads(BypassReason reason) {
        readsOff = reason;
    }

    /**
     * Counts a statement that went to the database without the cache: one that never asked (a callable statement)
     * or a miss whose result could not be kept after all (too large, a value the codec cannot round-trip).
     */
    public void bypassed(BypassReason reason) {
        statistics.bypass(reason);
    }

    /** A missed read was fully consumed: store it if nothing this connection did since makes it unsafe. */
    public void completeRead(ReadOutcome.Miss miss, CachedResult result) {
        if (!transaction.mayStore(miss.transactionEpoch())) {
            LOG.debug("sqlcache: {} not stored, written by this transaction meanwhile", miss.key());
            return;
        }
        byte[] bytes = ResultCodec.encode(miss.tokens(), result);
        if (store.put(miss.key(), bytes, miss.ttlSeconds(), miss.versionKeys(), miss.tokens())) {
            statistics.stored();
        }
    }

    /**
     * Called before a statement that may write runs (any execute method, a batch, a procedure call): leases the
     * version keys of every table it may change, so that from now until its commit is confirmed no JVM serves or
     * stores those tables. Inside a transaction each key is leased once, at its first write.
     *
     * @return what {@link #afterWrite} needs, or {@code null} when the plans write nothing
     */
    public WriteTicket beforeWrite(java.util.Collection<QueryPlan> plans) {
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        boolean ddl = false;
        for (QueryPlan plan : plans) {
            keys.addAll(Arrays.asList(writeKeysOf(plan)));
            ddl |= plan.analysis().kind() == StatementKind.DDL;
        }
        return lease(keys.toArray(String[]::new), ddl);
    }

    /** {@link #beforeWrite(java.util.Collection)} for one statement. */
    public WriteTicket beforeWrite(QueryPlan plan) {
        String[] keys = writeKeysOf(plan);
        return keys.length == 0 ? null : lease(keys, plan.analysis().kind() == StatementKind.DDL);
    }

    /**
     * Before a stored procedure call through a CallableStatement: what the configuration declares for the
     * procedure, or anything at all.
     */
    public WriteTicket beforeCall(QueryPlan plan) {
        if (plan.analysis().kind() == StatementKind.CALL && !plan.writesEverything()) {
            return beforeWrite(plan);
        }
        return lease(new String[] {engine.databaseVersionKey()}, false);
    }

    private String[] writeKeysOf(QueryPlan plan) {
        if (plan.writes()) {
            return writeKeys(plan, plan.analysis().kind() == StatementKind.DDL);
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
                transaction.leased(unleased, store.lease(unleased, leaseMillis));
            }
            return new WriteTicket(keys, null, true, ddl);
        }
        return new WriteTicket(keys, store.lease(keys, leaseMillis), false, ddl);
    }

    /**
     * Called once a writing statement has run, successfully or not (a failed batch may have applied part of its
     * work). In auto-commit mode its leases end now; in a transaction they end with it.
     */
    public void afterWrite(WriteTicket ticket) {
        if (ticket == null) {
            return;
        }
        if (!ticket.inTransaction()) {
            endLeases(ticket.keys(), ticket.leaseTokens());
        } else if (ticket.ddl() && engine.family() != DatabaseFamily.POSTGRES) {
            // Outside PostgreSQL, DDL commits the open transaction implicitly: its writes are visible now, and a
            // transaction begun with SQL BEGIN is over.
            transaction.ended();
            endTransactionLeases();
        }
    }

    /**
     * Reports any executed statement, so that transaction and session state stay in step with the database.
     */
    public void afterExecute(QueryPlan plan) {
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
            LOG.debug("sqlcache invalidate {}", Arrays.toString(keys));
        }
        store.endLeases(keys, tokens);
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
            case COMMIT -> afterCommit();
            case ROLLBACK -> afterRollback();
            case COMMIT_AND_CHAIN -> {
                boolean ownIsolation = transaction.chainedIsolationUnknown();
                afterCommit();
                chain(ownIsolation);
            }
            case ROLLBACK_AND_CHAIN -> {
                boolean ownIsolation = transaction.chainedIsolationUnknown();
                afterRollback();
                chain(ownIsolation);
            }
            case SET_TRANSACTION -> transaction.isolationUnknown();
            default -> {
                // Savepoints neither end the transaction nor make anything visible to others.
            }
        }
    }

    /**
     * A commit failed: the transaction may have committed (the answer was lost) or may still be open (the driver
     * refused). Invalidate what it wrote, but keep treating those tables as written by this connection until a
     * commit or rollback succeeds.
     */
    public void commitFailed() {
        String[] written = transaction.leasedKeys();
        if (written.length > 0) {
            statistics.invalidated(written.length);
            store.bump(written);
        }
    }

    /** The chained transaction keeps the ended one's characteristics, including an isolation set by SQL. */
    private void chain(boolean isolationSetBySql) {
        transaction.sqlBegin();
        if (isolationSetBySql) {
            transaction.transactionIsolationUnknown();
        }
    }

    /** A commit returned: what the transaction wrote is invalidated. */
    public void afterCommit() {
        transaction.ended();
        endTransactionLeases();
    }

    /**
     * A rollback returned: nothing written became visible, but the leases must end for caching to resume (the
     * fresh tokens they leave invalidate nothing that was right).
     */
    public void afterRollback() {
        transaction.ended();
        endTransactionLeases();
    }

    /**
     * Auto-commit changed; switching it on commits the open transaction (JDBC says so), switching it off starts
     * one.
     */
    public void autoCommitChanged(boolean autoCommit) {
        if (autoCommit) {
            transaction.setAutoCommit(true);
            afterCommit();
        } else {
            transaction.setAutoCommit(false);
        }
    }

    public void isolationChanged(int isolation) {
        transaction.setIsolation(isolation);
    }

    /** The isolation level could not be read: stay out of the cache until it is set through JDBC. */
    public void isolationUnknown() {
        transaction.isolationUnknown();
    }

    /** Catalog or schema changed through the JDBC API. */
    public void contextChanged(String catalog, String schema) {
        this.catalog = catalog;
        this.schema = schema;
        this.context = computeContext();
    }

    /**
     * A SET, USE or similar statement may have changed anything that shapes a result (search path, role, time
     * zone, ...). From now on this connection's entries are its own: still invalidated by every write, never shared
     * with connections whose session differs.
     */
    private void sessionChanged() {
        sessionSalt = UUID.randomUUID().toString();
        context = computeContext();
    }

    /**
     * The connection is closing or aborting with a transaction maybe open. Some drivers commit on close; assume
     * the writes became visible.
     */
    public void close() {
        endTransactionLeases();
    }
}
