package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.codec.CaptureFailure;
import dev.sqlcache.internal.codec.ResultCapture;
import dev.sqlcache.stats.BypassReason;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A missed query's result being copied for the cache while the application reads it. The result set wrapper
 * reports each row, the end, or a movement that is not plain forward reading; the copy is stored only when the
 * application has read every row in order, and nothing here ever fails the application's read.
 */
public final class Capture {

    private final SessionCache session;
    private final ReadOutcome.Miss miss;
    private ResultCapture rows;

    private Capture(SessionCache session, ReadOutcome.Miss miss, ResultCapture rows) {
        this.session = session;
        this.miss = miss;
        this.rows = rows;
    }

    /** A capture for a real result, or {@code null} (counted) when its columns cannot be cached. */
    static Capture begin(SessionCache session, ReadOutcome.Miss miss, ResultSet real, int maxRows, long maxBytes)
            throws SQLException {
        ResultCapture rows = ResultCapture.begin(real.getMetaData(), miss.plan().captureShape(), maxRows, maxBytes);
        if (rows == null) {
            session.rejected(BypassReason.UNSUPPORTED_TYPE);
            return null;
        }
        return new Capture(session, miss, rows);
    }

    /** Whether rows are still being copied. */
    public boolean active() {
        return rows != null;
    }

    /** The application moved to the current row of {@code real}: copy it. */
    public void row(ResultSet real) {
        if (rows == null) {
            return;
        }
        boolean kept;
        try {
            kept = rows.captureRow(real);
        } catch (SQLException | RuntimeException e) {
            // The application's read must not fail because the copy did: give up the copy only.
            kept = false;
        }
        if (!kept) {
            abandon(rows.failure() == CaptureFailure.TOO_LARGE ? BypassReason.TOO_LARGE
                    : BypassReason.UNSUPPORTED_TYPE);
        }
    }

    /** The application read past the last row: the copy is the whole result. */
    public void end() {
        ResultCapture done = rows;
        rows = null;
        if (done != null) {
            long estimated = done.estimatedBytes();
            session.store(miss, done.finish(), estimated);
        }
    }

    /**
     * The application is closing the result. Applications often read the one row they expect and close without
     * calling {@code next()} again: one more {@code next()} tells whether that row was the whole result; a partial
     * result is never stored.
     */
    public void closing(ResultSet real) {
        if (rows == null) {
            return;
        }
        try {
            if (!real.isClosed() && !real.next()) {
                end();
            }
        } catch (SQLException | RuntimeException e) {
            // Only the copy is lost.
        }
        rows = null;
    }

    /** The rows are not read once in order (scrolling, updating), or a row could not be copied. */
    public void abandon(BypassReason reason) {
        if (rows != null) {
            rows = null;
            session.rejected(reason);
        }
    }
}
