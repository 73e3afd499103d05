package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.engine.Capture;
import dev.sqlcache.stats.BypassReason;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The real result set of a cache miss. Rows reach the application as it reads them, exactly as the real driver
 * returns them, and each is reported to the engine's {@link Capture}, which copies it for the cache. Anything other
 * than plain forward reading (scrolling, updating) gives up the copy: the application never waits for a whole
 * result to be buffered.
 */
final class CapturingResultSet extends ProxyResultSet {

    private final Capture capture;

    CapturingResultSet(ResultSet delegate, ProxyStatement statement, Capture capture) {
        super(delegate, statement);
        this.capture = capture;
    }

    @Override
    public boolean next() throws SQLException {
        boolean hasRow = delegate.next();
        if (capture.active()) {
            if (hasRow) {
                capture.row(delegate);
            } else {
                capture.end();
            }
        }
        return hasRow;
    }

    // Any movement but next() means the rows are not read once in order: the copy would not be the result.

    @Override
    public boolean previous() throws SQLException {
        capture.abandon(BypassReason.RESULT_SET_MODE);
        return delegate.previous();
    }

    @Override
    public boolean first() throws SQLException {
        capture.abandon(BypassReason.RESULT_SET_MODE);
        return delegate.first();
    }

    @Override
    public boolean last() throws SQLException {
        capture.abandon(BypassReason.RESULT_SET_MODE);
        return delegate.last();
    }

    @Override
    public boolean absolute(int row) throws SQLException {
        capture.abandon(BypassReason.RESULT_SET_MODE);
        return delegate.absolute(row);
    }

    @Override
    public boolean relative(int rows) throws SQLException {
        capture.abandon(BypassReason.RESULT_SET_MODE);
        return delegate.relative(rows);
    }

    @Override
    public void beforeFirst() throws SQLException {
        capture.abandon(BypassReason.RESULT_SET_MODE);
        delegate.beforeFirst();
    }

    @Override
    public void afterLast() throws SQLException {
        capture.abandon(BypassReason.RESULT_SET_MODE);
        delegate.afterLast();
    }

    @Override
    public void moveToInsertRow() throws SQLException {
        capture.abandon(BypassReason.RESULT_SET_MODE);
        delegate.moveToInsertRow();
    }

    @Override
    public void close() throws SQLException {
        capture.closing(delegate);
        delegate.close();
    }
}
