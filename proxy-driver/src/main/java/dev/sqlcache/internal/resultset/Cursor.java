package dev.sqlcache.internal.resultset;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Cursor position over a fixed number of rows. Position 0 is before the first row, rowCount + 1 after the
 * last. Moving backwards or jumping on a TYPE_FORWARD_ONLY result throws SQLException 24000 (invalid cursor
 * state), as JDBC requires and PostgreSQL does; the position queries (getRow, isFirst, isLast, isBeforeFirst,
 * isAfterLast) work on every type, as in H2 and PostgreSQL.
 */
final class Cursor {
    private final int rowCount;
    private final boolean scrollable;
    private int position;

    Cursor(int rowCount, int type) {
        this.rowCount = rowCount;
        this.scrollable = type != ResultSet.TYPE_FORWARD_ONLY;
    }

    /** The 0-based current row; throws 24000 when the cursor is not on a row. */
    int row() throws SQLException {
        if (position < 1 || position > rowCount) {
            throw new SQLException("The cursor is not on a row; call next() first", "24000");
        }
        return position - 1;
    }

    boolean next() {
        if (position <= rowCount) {
            position++;
        }
        return position <= rowCount;
    }

    boolean previous() throws SQLException {
        requireScrollable();
        if (position > 0) {
            position--;
        }
        return position > 0;
    }

    boolean absolute(int row) throws SQLException {
        requireScrollable();
        if (row > 0) {
            position = Math.min(row, rowCount + 1);
        } else if (row < 0) {
            position = Math.max(rowCount + 1 + row, 0);
        } else {
            position = 0;
        }
        return onRow();
    }

    boolean relative(int rows) throws SQLException {
        requireScrollable();
        long target = (long) position + rows;
        position = (int) Math.max(0, Math.min(rowCount + 1L, target));
        return onRow();
    }

    boolean first() throws SQLException {
        requireScrollable();
        position = rowCount == 0 ? 0 : 1;
        return rowCount > 0;
    }

    boolean last() throws SQLException {
        requireScrollable();
        position = rowCount;
        return rowCount > 0;
    }

    void beforeFirst() throws SQLException {
        requireScrollable();
        position = 0;
    }

    void afterLast() throws SQLException {
        requireScrollable();
        position = rowCount + 1;
    }

    int getRow() {
        return onRow() ? position : 0;
    }

    boolean isBeforeFirst() {
        return position == 0 && rowCount > 0;
    }

    boolean isAfterLast() {
        return position == rowCount + 1 && rowCount > 0;
    }

    boolean isFirst() {
        return position == 1 && rowCount > 0;
    }

    boolean isLast() {
        return position == rowCount && rowCount > 0;
    }

    private boolean onRow() {
        return position >= 1 && position <= rowCount;
    }

    private void requireScrollable() throws SQLException {
        if (!scrollable) {
            throw new SQLException("Operation requires a scrollable ResultSet, but this ResultSet is TYPE_FORWARD_ONLY",
                    "24000");
        }
    }
}
