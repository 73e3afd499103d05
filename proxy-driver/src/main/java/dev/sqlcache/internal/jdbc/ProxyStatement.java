package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.engine.CacheSession;
import dev.sqlcache.internal.engine.Execution;
import dev.sqlcache.internal.engine.QueryOutcome;
import dev.sqlcache.internal.engine.QueryPlan;
import dev.sqlcache.internal.engine.SqlCall;
import dev.sqlcache.internal.key.BoundParameters;
import dev.sqlcache.internal.resultset.CachedResultSet;
import dev.sqlcache.internal.resultset.RealQuery;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A statement whose reads go through the cache and whose writes invalidate. Everything else is the real
 * statement's behaviour; the result sets it returns, cached or real, lead back to this proxy and its connection.
 */
public class ProxyStatement extends StatementDelegate {

    protected final ProxyConnection connection;
    protected final CacheSession session;
    private final int resultSetType;
    private final int resultSetConcurrency;
    private final int resultSetHoldability;
    private final boolean tracked;
    private long maxRows;
    private int maxFieldSize;
    private List<QueryPlan> batch;
    private ResultSet current;
    /**
     * The plan of the last execution, for an updatable statement only (null otherwise): its result sets change rows
     * of the tables it reads, and each such change is a write ({@link #changeRow}).
     */
    private QueryPlan updatablePlan;
    /** The last read's execution, reused while nothing it holds changes ({@link #queryExecution}). */
    private Execution lastQuery;
    /** The last other execution of a prepared statement, reused likewise ({@link #statementExecution}). */
    private Execution lastStatement;
    /** Results kept open by getMoreResults(KEEP_CURRENT_RESULT): the next execution closes them, as drivers do. */
    private List<ResultSet> kept;
    private boolean servedFromCache;
    /** The current result set came from {@link #read}: the statement answers for it, whatever the driver says. */
    private boolean readResult;
    private boolean closeOnCompletion;
    private boolean closed;
    /**
     * The real statement's fetch size and direction as its getters answer, read the first time a hit or a run needs
     * them and again after the application changed either through this proxy: they change only through their
     * setters, so a hit hands them to its result set without two calls into the real statement each time.
     */
    private int fetchSize;
    private int fetchDirection;
    private boolean fetchKnown;
    /**
     * Whether the real statement may hold warnings that a hit must clear (the real driver clears a statement's
     * warnings when it executes it again; a hit does not execute it). Set by everything that reaches the real
     * statement other than binding values (no driver warns on a bind: H2, PostgreSQL, MariaDB); cleared by a hit's
     * clear. Once {@link #unwrap} (or a real result set's) handed out the real statement, the application may use it
     * directly: from then on every hit clears, and the fetch settings are asked every time, as before.
     */
    private boolean mayHoldWarnings = true;
    private boolean exposed;
    /**
     * Whether only this statement's own use can leave warnings on it ({@code DatabaseFamily#warningsPerStatement}):
     * where warnings belong to the connection (MariaDB), any other statement's execution can, and every hit clears.
     */
    private final boolean warningsOwn;
    /** Given to each result set served from the cache: one listener per statement, not one per hit. */
    private final CachedResultSet.CloseListener onCachedClose = this::resultSetClosed;

    ProxyStatement(Statement delegate, ProxyConnection connection, String sql) throws SQLException {
        this(delegate, connection, true);
    }

    private ProxyStatement(Statement delegate, ProxyConnection connection, boolean tracked) throws SQLException {
        super(delegate);
        this.connection = connection;
        this.session = connection.session();
        this.tracked = tracked;
        this.resultSetType = delegate.getResultSetType();
        this.resultSetConcurrency = delegate.getResultSetConcurrency();
        this.resultSetHoldability = delegate.getResultSetHoldability();
        this.maxRows = delegate.getMaxRows();
        this.maxFieldSize = delegate.getMaxFieldSize();
        this.warningsOwn = session.engine().family().warningsPerStatement();
        if (tracked && !connection.opened(this)) {
            SQLException refused = new java.sql.SQLNonTransientConnectionException(
                    "sqlcache: the connection is closed", "08003");
            try {
                delegate.close();
            } catch (SQLException | RuntimeException e) {
                refused.addSuppressed(e); // the refusal says why the statement cannot be had; the close is a detail
            }
            throw refused;
        }
    }

    /** A proxy for a statement the real driver created on its own (behind metadata result sets). */
    static ProxyStatement foreign(Statement delegate, ProxyConnection connection) throws SQLException {
        return new ProxyStatement(delegate, connection, false);
    }

    // ---- the paths every execution takes: the session decides, this class does the JDBC mechanics

    /**
     * A query the cache may answer: served from the cache, or run on the database (and copied for the cache), as
     * the session decides. A hit keeps {@code query} to run it again on the real statement should the application
     * call a getter the cache cannot answer exactly.
     */
    final ResultSet read(QueryPlan plan, BoundParameters parameters, RealQuery query) throws SQLException {
        requireOpen();
        startExecution();
        updatablePlan = updatable() ? plan : null;
        QueryOutcome outcome = session.query(queryExecution(plan, parameters), query);
        readResult = true;
        if (outcome instanceof QueryOutcome.Hit hit) {
            // The real statement does not run: reset what its last execution left behind, if anything can be there.
            if (mayHoldWarnings) {
                delegate.clearWarnings();
                mayHoldWarnings = exposed || !warningsOwn;
            }
            servedFromCache = true;
            CachedResultSet cached =
                    new CachedResultSet(hit.result(), this, resultSetType, resultSetHoldability, query,
                            !session.engine().family().gettersVerified());
            // A real result set starts with its statement's fetch settings; so does this one.
            knowFetchSettings();
            cached.setFetchSize(session.engine().fetchSizeForHit(fetchSize));
            cached.setFetchDirection(fetchDirection);
            cached.onClose(onCachedClose);
            current = cached;
            return current;
        }
        // The real statement ran the query (a miss or a pass-through) through the real query, which said so.
        QueryOutcome.Ran ran = (QueryOutcome.Ran) outcome;
        ResultSet real = ran.resultSet();
        if (real == null) {
            readResult = false;
            return null;
        }
        knowFetchSettings();
        int statementFetchSize = fetchSize;
        if (statementFetchSize != 0) {
            session.engine().observeFetchSize(statementFetchSize, real.getFetchSize());
        }
        current = ran.capture() != null ? new CapturingResultSet(real, this, ran.capture())
                : new ProxyResultSet(real, this, updatablePlan);
        return current;
    }

    /** Reads the real statement's fetch settings unless they are known ({@link #fetchSize}). */
    private void knowFetchSettings() throws SQLException {
        if (!fetchKnown) {
            fetchSize = delegate.getFetchSize();
            fetchDirection = delegate.getFetchDirection();
            fetchKnown = !exposed;
        }
    }

    /**
     * Something reached the real statement and may have left warnings on it (see {@link #mayHoldWarnings}): every
     * path into it other than a getter or a bind calls this, before the call, so that a call that fails counts too.
     */
    final void reachedReal() {
        mayHoldWarnings = true;
    }

    /**
     * The execution of a read: the last one again when nothing it holds changed (a prepared statement's plan and
     * bound-values object stay the same; the values themselves are read at each execution, not copied into it).
     * An execution is immutable, so reusing it is only the allocation saved; the statement is used by one thread at
     * a time (JDBC), and a race between two would at worst build a fresh one.
     */
    private Execution queryExecution(QueryPlan plan, BoundParameters parameters) {
        Execution last = lastQuery;
        boolean readOnly = resultSetConcurrency == ResultSet.CONCUR_READ_ONLY;
        if (last != null && last.plan() == plan && last.parameters() == parameters && last.maxRows() == maxRows
                && last.maxFieldSize() == maxFieldSize && last.readOnly() == readOnly) {
            return last;
        }
        Execution execution = Execution.query(plan, parameters, maxRows, maxFieldSize, readOnly);
        lastQuery = execution;
        return execution;
    }

    /** Any other execution: the session runs it and invalidates what it wrote. */
    final <T> T run(Execution execution, SqlCall<T> call) throws SQLException {
        startExecution();
        reachedReal();
        updatablePlan = updatable() && execution.plans().size() == 1 ? execution.plan() : null;
        return session.execute(execution, call);
    }

    private boolean updatable() {
        return resultSetConcurrency == ResultSet.CONCUR_UPDATABLE;
    }

    /** The plan whose query made this statement's current real result set, when the statement is updatable. */
    final QueryPlan updatablePlan() {
        return updatablePlan;
    }

    /**
     * A row changed through an updatable result set of {@code plan}'s query (updateRow, insertRow, deleteRow): a
     * write of every table the query reads, leased before the real call and ended after it (kept until the end of a
     * transaction), as any write. The query's own lease ended when executeQuery returned in auto-commit, so a read
     * between the two could otherwise cache the row's old value under fresh tokens, which this change, committed
     * on its own, would leave current. The statement's current result set stays open: no new execution starts.
     */
    final void changeRow(QueryPlan plan, SqlCall<Void> call) throws SQLException {
        reachedReal();
        session.execute(Execution.query(plan, null, maxRows, maxFieldSize, false), call);
    }

    /** {@link #run(Execution, SqlCall)} for a plain statement. */
    final <T> T run(QueryPlan plan, SqlCall<T> call) throws SQLException {
        return run(Execution.statement(plan), call);
    }

    /** {@link #run(Execution, SqlCall)} for a prepared statement with its bound values. */
    final <T> T run(QueryPlan plan, BoundParameters parameters, SqlCall<T> call) throws SQLException {
        return run(statementExecution(plan, parameters), call);
    }

    /**
     * A prepared statement's execution is immutable and names its plan and its (live) bound values only: one per
     * statement serves every call with the same two, as {@link #queryExecution} does for reads.
     */
    private Execution statementExecution(QueryPlan plan, BoundParameters parameters) {
        Execution last = lastStatement;
        if (last != null && last.plan() == plan && last.parameters() == parameters) {
            return last;
        }
        Execution execution = Execution.statement(plan, parameters);
        lastStatement = execution;
        return execution;
    }

    /** JDBC: every execution closes the statement's current result set. */
    private void startExecution() throws SQLException {
        servedFromCache = false;
        readResult = false;
        ResultSet previous = current;
        current = null;
        if (previous != null) {
            closeResult(previous);
        }
        closeKept();
    }

    private void closeKept() throws SQLException {
        if (kept != null) {
            List<ResultSet> open = kept;
            kept = null;
            for (ResultSet resultSet : open) {
                closeResult(resultSet);
            }
        }
    }

    /**
     * Closes a result of this statement while the statement goes on (getMoreResults, a new execution). A cached
     * result whose getter was handed over to the database holds a real result of the real statement, and the real
     * statement closes that one itself, as it closes its own result on getMoreResults: a result closed from outside
     * counts as closed by the application, which closes a closeOnCompletion statement (H2, PostgreSQL and MariaDB
     * all do so) that the application is still using.
     */
    private void closeResult(ResultSet resultSet) throws SQLException {
        try {
            if (resultSet instanceof CachedResultSet cached && cached.holdsRealResult()) {
                delegate.getMoreResults(Statement.CLOSE_CURRENT_RESULT);
            }
        } finally {
            resultSet.close();
        }
    }

    final QueryPlan plan(String sql) {
        return session.plan(sql);
    }

    // ---- Statement execution

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        return read(plan(sql), null, () -> realQuery(sql));
    }

    /** The real query of a plain statement: run by a miss or a pass-through, or by a hit handed over to the database. */
    private ResultSet realQuery(String sql) throws SQLException {
        reachedReal();
        return delegate.executeQuery(sql);
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        QueryPlan plan = plan(sql);
        if (plan.cacheable()) {
            read(plan, null, () -> realQuery(sql));
            return true;
        }
        return run(plan, () -> delegate.execute(sql));
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        return run(plan(sql), () -> delegate.execute(sql, autoGeneratedKeys));
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        return run(plan(sql), () -> delegate.execute(sql, columnIndexes));
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        return run(plan(sql), () -> delegate.execute(sql, columnNames));
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        return run(plan(sql), () -> delegate.executeUpdate(sql));
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return run(plan(sql), () -> delegate.executeUpdate(sql, autoGeneratedKeys));
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return run(plan(sql), () -> delegate.executeUpdate(sql, columnIndexes));
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        return run(plan(sql), () -> delegate.executeUpdate(sql, columnNames));
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        return run(plan(sql), () -> delegate.executeLargeUpdate(sql));
    }

    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return run(plan(sql), () -> delegate.executeLargeUpdate(sql, autoGeneratedKeys));
    }

    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return run(plan(sql), () -> delegate.executeLargeUpdate(sql, columnIndexes));
    }

    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        return run(plan(sql), () -> delegate.executeLargeUpdate(sql, columnNames));
    }

    // ---- batches

    @Override
    public void addBatch(String sql) throws SQLException {
        reachedReal();
        delegate.addBatch(sql);
        batched(plan(sql));
    }

    /** Remembers what a batch will write, to invalidate it once the batch has run. */
    final void batched(QueryPlan plan) {
        if (batch == null) {
            batch = new ArrayList<>();
        }
        batch.add(plan);
    }

    @Override
    public void clearBatch() throws SQLException {
        reachedReal();
        delegate.clearBatch();
        batch = null;
    }

    @Override
    public int[] executeBatch() throws SQLException {
        return runBatch(delegate::executeBatch);
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        return runBatch(delegate::executeLargeBatch);
    }

    private <T> T runBatch(SqlCall<T> execution) throws SQLException {
        List<QueryPlan> plans = batch == null ? List.of() : batch;
        batch = null;
        return run(Execution.batch(plans), execution);
    }

    // ---- results

    private void keep(ResultSet resultSet) {
        if (kept == null) {
            kept = new ArrayList<>(2);
        }
        kept.add(resultSet);
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        if (readResult) {
            requireOpen();
            return current;
        }
        reachedReal();
        ResultSet real = delegate.getResultSet();
        if (real == null) {
            return null;
        }
        if (current instanceof ProxyResultSet proxy && proxy.wraps(real)) {
            return current;
        }
        current = new ProxyResultSet(real, this, updatablePlan);
        return current;
    }

    @Override
    public int getUpdateCount() throws SQLException {
        return servedFromCache && !isClosed() ? -1 : delegate.getUpdateCount();
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        return servedFromCache && !isClosed() ? -1 : delegate.getLargeUpdateCount();
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        return getMoreResults(Statement.CLOSE_CURRENT_RESULT);
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        if (servedFromCache) {
            requireOpen();
        }
        ResultSet previous = this.current;
        this.current = null;
        if (previous != null) {
            if (current == Statement.KEEP_CURRENT_RESULT) {
                keep(previous);
            } else if (servedFromCache) {
                closeResult(previous);
            }
        }
        if (current == Statement.CLOSE_ALL_RESULTS) {
            closeKept();
        }
        if (servedFromCache) {
            // A cached read has exactly one result.
            return false;
        }
        reachedReal();
        boolean more = delegate.getMoreResults(current);
        readResult = false;
        return more;
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        reachedReal();
        ResultSet keys = delegate.getGeneratedKeys();
        return keys == null ? null : new ProxyResultSet(keys, this);
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (closed) {
            // Same answer as the real driver for a closed statement.
            delegate.getConnection();
        }
        return connection;
    }

    // ---- settings that change a result and so are part of the key

    @Override
    public void setMaxRows(int max) throws SQLException {
        reachedReal();
        delegate.setMaxRows(max);
        maxRows = max;
    }

    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        reachedReal();
        delegate.setLargeMaxRows(max);
        maxRows = max;
    }

    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        reachedReal();
        delegate.setMaxFieldSize(max);
        maxFieldSize = max;
    }

    // ---- settings a hit hands to its result set ({@link #fetchSize}), and the others that reach the real statement

    @Override
    public void setFetchSize(int rows) throws SQLException {
        reachedReal();
        fetchKnown = false;
        delegate.setFetchSize(rows);
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        reachedReal();
        fetchKnown = false;
        delegate.setFetchDirection(direction);
    }

    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        reachedReal();
        delegate.setQueryTimeout(seconds);
    }

    @Override
    public void setCursorName(String name) throws SQLException {
        reachedReal();
        delegate.setCursorName(name);
    }

    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        reachedReal();
        delegate.setEscapeProcessing(enable);
    }

    @Override
    public void setPoolable(boolean poolable) throws SQLException {
        reachedReal();
        delegate.setPoolable(poolable);
    }

    @Override
    public void cancel() throws SQLException {
        reachedReal();
        delegate.cancel();
    }

    /** The real statement in the application's hands: what this proxy remembers of it may change behind its back. */
    @Override
    public <I> I unwrap(Class<I> iface) throws SQLException {
        I unwrapped = super.unwrap(iface);
        if (unwrapped != this) {
            realExposed();
        }
        return unwrapped;
    }

    /**
     * The application holds the real statement (this proxy's unwrap, or a real result set's, which leads to it):
     * every hit from now on asks it for its fetch settings and clears its warnings.
     */
    final void realExposed() {
        exposed = true;
        reachedReal();
        fetchKnown = false;
    }

    // ---- lifecycle

    @Override
    public void closeOnCompletion() throws SQLException {
        reachedReal();
        delegate.closeOnCompletion();
        closeOnCompletion = true;
    }

    /**
     * A result set served from the cache was closed. The real statement never produced it, so honouring
     * closeOnCompletion() falls to the proxy. If a getter was handed over to the database, the real statement
     * did produce a result, and closing it may have closed the real statement: the proxy then closes too, so that
     * it reports closed and its connection forgets it.
     */
    private void resultSetClosed(ResultSet resultSet) throws SQLException {
        if (closeOnCompletion && (resultSet == current && servedFromCache || delegate.isClosed())) {
            close();
        }
    }

    /**
     * Fails as the real driver fails a call on a closed statement, for the calls the proxy answers without it
     * (hits and their results): the real statement is closed too, whether the proxy closed it or, after a
     * getter was handed over to the database, closeOnCompletion did.
     */
    private void requireOpen() throws SQLException {
        if (isClosed()) {
            // H2, PostgreSQL and MariaDB all check this getter, which changes nothing: their own SQLState.
            delegate.getMaxRows();
            throw new SQLException("This statement is closed", "HY010");
        }
    }

    @Override
    public boolean isClosed() throws SQLException {
        return closed || delegate.isClosed();
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            ResultSet open = current;
            current = null;
            if (open != null) {
                open.close();
            }
            closeKept();
        } finally {
            try {
                delegate.close();
            } finally {
                if (tracked) {
                    connection.closed(this);
                }
            }
        }
    }
}
