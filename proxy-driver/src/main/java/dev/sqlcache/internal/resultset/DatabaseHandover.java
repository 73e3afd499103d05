package dev.sqlcache.internal.resultset;

import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.ResultCapture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Answers from the database a getter that a cached result refuses: it runs the query again on the real statement,
 * moves the real result set to the same row, checks that the real cell equals the cached one, and asks the real
 * result set.
 *
 * <p>Why that answer is exact: a driver's conversion is a function of the cell's value and its column type. When
 * the real cell equals the cached cell (same column type and type name, same {@code getObject} value, same
 * {@code getString} text, see {@link ResultCapture#sameCell}), the real driver's answer for it is exactly what it
 * would have given for the cached value. Every other value the application reads still comes from the cached
 * snapshot, so the result stays one consistent snapshot. When the cells differ — the row changed since it was
 * cached, the database returns rows in another order, the application bound other parameters, or the query
 * fails — the getter fails with the cache's own refusal, the reason attached as its cause: an answer from another
 * snapshot is never given.
 *
 * <p>The real result set is opened on the first refused getter only, so a hit costs nothing more until then. It
 * stays open for later refusals and is closed with the cached result set; the statement's next execution or its
 * closing closes it as well, as JDBC has drivers do.
 */
final class DatabaseHandover {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseHandover.class);
    private static final int AFTER_LAST = Integer.MAX_VALUE;

    /** A getter asked of the real result set once it is on the row. */
    @FunctionalInterface
    interface Getter<T> {
        T get(ResultSet real) throws SQLException;
    }

    private final CachedResult result;
    private final RealQuery query;
    private ResultSet real;
    private boolean scrollable;
    /** The 0-based row a forward-only real result set is on: -1 before the first, AFTER_LAST past the end. */
    private int realRow;

    DatabaseHandover(CachedResult result, RealQuery query) {
        this.result = result;
        this.query = query;
    }

    /**
     * The real driver's answer for the cell at {@code row}, {@code column} (both 0-based), or {@code refusal}
     * when the database's cell is not the cached one. Failures of the getter itself are the real driver's
     * answer and pass through unchanged.
     */
    <T> T read(int row, int column, SQLException refusal, Getter<T> getter) throws SQLException {
        String mismatch;
        try {
            mismatch = mismatch(row, column);
        } catch (SQLException | RuntimeException e) {
            // Only the SQLState: a driver's message may quote the application's values.
            LOG.debug("Not handed over ({}, row {}): the database failed, SQLState {}", refusal.getMessage(), row + 1,
                    e instanceof SQLException s ? s.getSQLState() : e.getClass().getName());
            refusal.initCause(e);
            throw refusal;
        }
        if (mismatch != null) {
            LOG.debug("Not handed over ({}, row {}): {}", refusal.getMessage(), row + 1, mismatch);
            refusal.initCause(new SQLDataException(mismatch));
            throw refusal;
        }
        LOG.debug("Handed over to the database: {}, row {}", refusal.getMessage(), row + 1);
        return getter.get(real);
    }

    /** Why the database's cell cannot stand in for the cached one, or null when it can. */
    private String mismatch(int row, int column) throws SQLException {
        if (!moveTo(row)) {
            return "The database returned fewer rows than the cached result";
        }
        if (!ResultCapture.sameCell(real, result, row, column)) {
            return "The database's cell differs from the cached one";
        }
        return null;
    }

    /**
     * The real result set's wasNull after a getter {@link #read} handed over: the driver's own answer, which may
     * differ from the cached cell's null-ness (MariaDB answers a string it cannot convert with null and wasNull
     * true, for instance).
     */
    boolean wasNull() throws SQLException {
        return real.wasNull();
    }

    /** Whether a real result set is open; it belongs to the statement that ran the query. */
    boolean holdsRealResult() throws SQLException {
        return real != null && !real.isClosed();
    }

    /** Closes the real result set, if one is open. */
    void close() throws SQLException {
        ResultSet open = real;
        real = null;
        // PostgreSQL runs its closeOnCompletion check on every close(), even of a closed result set.
        if (open != null && !open.isClosed()) {
            open.close();
        }
    }

    /** Puts the real result set on {@code row}; false when it has no such row. */
    private boolean moveTo(int row) throws SQLException {
        if (real != null && (real.isClosed() || !scrollable && realRow > row)) {
            discardForRerun();
        }
        if (real == null) {
            ResultSet opened = query.execute();
            if (opened == null) {
                throw new SQLException("The query returned no result set");
            }
            real = opened;
            scrollable = opened.getType() != ResultSet.TYPE_FORWARD_ONLY;
            realRow = -1;
        }
        if (scrollable) {
            return real.absolute(row + 1);
        }
        while (realRow < row) {
            if (!real.next()) {
                realRow = AFTER_LAST;
                return false;
            }
            realRow++;
        }
        return true;
    }

    /** A forward-only real result set passed the row, or was closed under us: the query must run again. */
    private void discardForRerun() throws SQLException {
        ResultSet old = real;
        if (!old.isClosed()) {
            Statement statement = old.getStatement();
            if (statement != null && statement.isCloseOnCompletion()) {
                // Running it again closes the old result, and with it (PostgreSQL) the application's statement.
                throw new SQLException("Running the query again would close a closeOnCompletion statement");
            }
            old.close();
        }
        real = null;
    }
}
