package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.codec.CaptureFailure;
import dev.sqlcache.internal.codec.ResultCapture;
import dev.sqlcache.internal.engine.ReadOutcome;
import dev.sqlcache.internal.engine.SessionCache;
import dev.sqlcache.stats.BypassReason;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The real result set of a cache miss. Rows reach the application as it reads them, exactly as the real driver
 * returns them; meanwhile each row is copied into a bounded buffer, and once the application has read to the end
 * the buffer becomes the cache entry. Anything other than plain forward reading (scrolling, updating) gives up
 * the copy, as does a result over the size limit: the application never waits for a whole result to be buffered.
 */
final class CapturingResultSet extends ProxyResultSet {

    private final SessionCache session;
    private final ReadOutcome.Miss miss;
    private ResultCapture capture;

    CapturingResultSet(ResultSet delegate, ProxyStatement statement, ResultCapture capture, ReadOutcome.Miss miss,
                       SessionCache session) {
        super(delegate, statement);
        this.capture = capture;
        this.miss = miss;
        this.session = session;
    }

    @Override
    public boolean next() throws SQLException {
        boolean hasRow = delegate.next();
        if (capture != null) {
            if (hasRow) {
                captureRow();
            } else {
                ResultCapture done = capture;
                capture = null;
                session.completeRead(miss, done.finish());
            }
        }
        return hasRow;
    }

    private void captureRow() {
        boolean kept;
        try {
            kept = capture.captureRow(delegate);
        } catch (SQLException | RuntimeException e) {
            // The application's read must not fail because the copy did: give up the copy only.
            kept = false;
        }
        if (!kept) {
            CaptureFailure failure = capture.failure();
            giveUp(failure == CaptureFailure.TOO_LARGE ? BypassReason.TOO_LARGE : BypassReason.UNSUPPORTED_TYPE);
        }
    }

    private void giveUp(BypassReason reason) {
        if (capture != null) {
            capture = null;
            session.bypassed(reason);
        }
    }

    // Any movement but next() means the rows are not read once in order: the copy would not be the result.

    @Override
    public boolean previous() throws SQLException {
        giveUp(BypassReason.RESULT_SET_MODE);
        return delegate.previous();
    }

    @Override
    public boolean first() throws SQLException {
        giveUp(BypassReason.RESULT_SET_MODE);
        return delegate.first();
    }

    @Override
    public boolean last() throws SQLException {
        giveUp(BypassReason.RESULT_SET_MODE);
        return delegate.last();
    }

    @Override
    public boolean absolute(int row) throws SQLException {
        giveUp(BypassReason.RESULT_SET_MODE);
        return delegate.absolute(row);
    }

    @Override
    public boolean relative(int rows) throws SQLException {
        giveUp(BypassReason.RESULT_SET_MODE);
        return delegate.relative(rows);
    }

    @Override
    public void beforeFirst() throws SQLException {
        giveUp(BypassReason.RESULT_SET_MODE);
        delegate.beforeFirst();
    }

    @Override
    public void afterLast() throws SQLException {
        giveUp(BypassReason.RESULT_SET_MODE);
        delegate.afterLast();
    }

    @Override
    public void moveToInsertRow() throws SQLException {
        giveUp(BypassReason.RESULT_SET_MODE);
        delegate.moveToInsertRow();
    }

    /**
     * Applications often read the one row they expect and close without calling {@code next()} again. One more
     * {@code next()} tells whether that row was the whole result; a partial result is never stored.
     */
    @Override
    public void close() throws SQLException {
        ResultCapture pending = capture;
        capture = null;
        if (pending != null) {
            try {
                if (!delegate.isClosed() && !delegate.next()) {
                    session.completeRead(miss, pending.finish());
                }
            } catch (SQLException | RuntimeException e) {
                // Only the copy is lost.
            }
        }
        delegate.close();
    }
}
