package dev.sqlcache.internal.resultset;

import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.Conversions;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Locale;
import java.util.Map;

/**
 * The read-only ResultSet served on a cache hit. Cursor movement lives in {@link Cursor}, value conversion in
 * {@link ValueConverter}; this class checks state, resolves columns and delegates.
 *
 * <p>A getter the cache cannot answer exactly (a conversion it refuses, a number out of the target's range, a LOB,
 * stream or other driver object, a text getter the real driver was seen not to answer with the column's getString
 * text) is handed over to the database when the result set was given a {@link RealQuery}: see
 * {@link DatabaseHandover}. Without one, or when the database's cell is no longer the cached one, such a getter
 * fails: SQLState 22018 for a refused conversion, 22003 for numeric overflow, SQLFeatureNotSupportedException 0A000
 * for the rest.
 *
 * <p>Other SQLStates: closed result set 24000; cursor not on a row 24000; scrolling a TYPE_FORWARD_ONLY result
 * 24000; column index out of range 07009; unknown column label 42S22; every update method
 * SQLFeatureNotSupportedException 0A000 (the result is CONCUR_READ_ONLY).
 */
public final class CachedResultSet implements ResultSet {
    private final CachedResult result;
    private final Statement statement;
    private final int type;
    private final int holdability;
    private final Cursor cursor;
    /** Runs the query again for a handover; null when getters the cache refuses must simply fail. */
    private final RealQuery realQuery;
    private DatabaseHandover handover;
    private CachedResultSetMetaData metaData;
    private boolean closed;
    private CloseListener closeListener;
    private boolean wasNull;
    private int fetchSize;
    private int fetchDirection = FETCH_FORWARD;

    /**
     * @param statement   returned by getStatement(); null for results not produced by a statement
     * @param type        TYPE_FORWARD_ONLY, TYPE_SCROLL_INSENSITIVE or TYPE_SCROLL_SENSITIVE
     * @param holdability HOLD_CURSORS_OVER_COMMIT or CLOSE_CURSORS_AT_COMMIT
     */
    public CachedResultSet(CachedResult result, Statement statement, int type, int holdability) {
        this(result, statement, type, holdability, null);
    }

    /**
     * A result set that hands the getters it cannot answer over to the database.
     *
     * @param realQuery runs the query again on the real statement; null to refuse such getters instead
     */
    public CachedResultSet(CachedResult result, Statement statement, int type, int holdability,
                           RealQuery realQuery) {
        this(result, statement, type, holdability, realQuery, false);
    }

    /**
     * @param verifiedGettersOnly true for a driver whose conversions no differential test has checked (HSQLDB,
     *                            Derby, SQLite, unknown ones): only getters that read a column as its own class are
     *                            answered from the cache; a conversion (getObject to another class, getFloat of a
     *                            DOUBLE, getBigDecimal of text, a binary stream) is handed over to the driver, whose
     *                            rules for it are not known
     */
    public CachedResultSet(CachedResult result, Statement statement, int type, int holdability,
                           RealQuery realQuery, boolean verifiedGettersOnly) {
        if (type != TYPE_FORWARD_ONLY && type != TYPE_SCROLL_INSENSITIVE && type != TYPE_SCROLL_SENSITIVE) {
            throw new IllegalArgumentException("bad result set type " + type);
        }
        this.result = result;
        this.statement = statement;
        this.type = type;
        this.holdability = holdability;
        this.cursor = new Cursor(result.rowCount(), type);
        this.realQuery = realQuery;
        this.verifiedGettersOnly = verifiedGettersOnly;
    }

    private final boolean verifiedGettersOnly;

    /** Whether this driver's answer for reading column {@code col} as {@code target} must come from the driver. */
    private boolean unverified(int col, Class<?> target) {
        return verifiedGettersOnly && !target.getName().equals(result.column(col).columnClassName());
    }

    private static SQLException unverifiedConversion(Class<?> target) {
        return new SQLFeatureNotSupportedException("the cached result does not convert to " + target.getSimpleName()
                + " for this driver", "0A000");
    }

    // ---- state and column resolution

    private void checkOpen() throws SQLException {
        if (closed) {
            throw new SQLException("This ResultSet is closed", "24000");
        }
    }

    /** Checks state and index, returns the 0-based column and records wasNull for the current cell. */
    private int cell(int columnIndex) throws SQLException {
        checkOpen();
        if (columnIndex < 1 || columnIndex > result.columnCount()) {
            throw new SQLException("The column index is out of range: " + columnIndex + ", number of columns: "
                    + result.columnCount(), "07009");
        }
        int col = columnIndex - 1;
        wasNull = result.value(cursor.row(), col) == null;
        return col;
    }

    private int row() throws SQLException {
        return cursor.row();
    }

    /**
     * The real driver's answer for column {@code col} (0-based) of the current row, or {@code refusal} when there
     * is no database to ask or its cell is no longer the cached one.
     */
    private <T> T handOver(int col, SQLException refusal, DatabaseHandover.Getter<T> getter) throws SQLException {
        if (handover == null) {
            if (realQuery == null) {
                throw refusal;
            }
            handover = new DatabaseHandover(result, realQuery);
        }
        T answer = handover.read(row(), col, refusal, getter);
        wasNull = handover.wasNull();
        return answer;
    }

    @Override
    public int findColumn(String columnLabel) throws SQLException {
        checkOpen();
        // The label index is the result's shape's, shared by every hit: nothing is built per result set or getter.
        int i = columnLabel == null ? 0 : result.columnIndex(columnLabel);
        if (i == 0) {
            throw new SQLException("The column name " + columnLabel + " was not found in this ResultSet", "42S22");
        }
        return i;
    }

    // ---- navigation

    @Override
    public boolean next() throws SQLException {
        checkOpen();
        return cursor.next();
    }

    @Override
    public boolean previous() throws SQLException {
        checkOpen();
        return cursor.previous();
    }

    @Override
    public boolean first() throws SQLException {
        checkOpen();
        return cursor.first();
    }

    @Override
    public boolean last() throws SQLException {
        checkOpen();
        return cursor.last();
    }

    @Override
    public boolean absolute(int row) throws SQLException {
        checkOpen();
        return cursor.absolute(row);
    }

    @Override
    public boolean relative(int rows) throws SQLException {
        checkOpen();
        return cursor.relative(rows);
    }

    @Override
    public void beforeFirst() throws SQLException {
        checkOpen();
        cursor.beforeFirst();
    }

    @Override
    public void afterLast() throws SQLException {
        checkOpen();
        cursor.afterLast();
    }

    @Override
    public boolean isBeforeFirst() throws SQLException {
        checkOpen();
        return cursor.isBeforeFirst();
    }

    @Override
    public boolean isAfterLast() throws SQLException {
        checkOpen();
        return cursor.isAfterLast();
    }

    @Override
    public boolean isFirst() throws SQLException {
        checkOpen();
        return cursor.isFirst();
    }

    @Override
    public boolean isLast() throws SQLException {
        checkOpen();
        return cursor.isLast();
    }

    @Override
    public int getRow() throws SQLException {
        checkOpen();
        return cursor.getRow();
    }

    // ---- getters by index

    @Override
    public boolean wasNull() throws SQLException {
        checkOpen();
        return wasNull;
    }

    @Override
    public String getString(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        return result.string(row(), c);
    }

    @Override
    public String getNString(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        if (!Conversions.answers(result.conversions(c), Conversions.N_STRING)) {
            return handOver(c, unsupported("getNString"), rs -> rs.getNString(columnIndex));
        }
        return result.string(row(), c);
    }

    @Override
    public boolean getBoolean(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        try {
            return ValueConverter.toBoolean(result, row(), c);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getBoolean(columnIndex));
        }
    }

    @Override
    public byte getByte(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        try {
            return (byte) ValueConverter.toLong(result, row(), c, Byte.MIN_VALUE, Byte.MAX_VALUE, "byte");
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getByte(columnIndex));
        }
    }

    @Override
    public short getShort(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        try {
            return (short) ValueConverter.toLong(result, row(), c, Short.MIN_VALUE, Short.MAX_VALUE, "short");
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getShort(columnIndex));
        }
    }

    @Override
    public int getInt(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        try {
            return (int) ValueConverter.toLong(result, row(), c, Integer.MIN_VALUE, Integer.MAX_VALUE, "int");
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getInt(columnIndex));
        }
    }

    @Override
    public long getLong(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        try {
            return ValueConverter.toLong(result, row(), c, Long.MIN_VALUE, Long.MAX_VALUE, "long");
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getLong(columnIndex));
        }
    }

    @Override
    public float getFloat(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        if (unverified(c, Float.class)) {
            return handOver(c, unverifiedConversion(Float.class), rs -> rs.getFloat(columnIndex));
        }
        try {
            return ValueConverter.toFloat(result, row(), c);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getFloat(columnIndex));
        }
    }

    @Override
    public double getDouble(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        try {
            return ValueConverter.toDouble(result, row(), c);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getDouble(columnIndex));
        }
    }

    @Override
    public BigDecimal getBigDecimal(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        if (unverified(c, BigDecimal.class)) {
            return handOver(c, unverifiedConversion(BigDecimal.class), rs -> rs.getBigDecimal(columnIndex));
        }
        try {
            return ValueConverter.toBigDecimal(result, row(), c);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getBigDecimal(columnIndex));
        }
    }

    @Override
    @Deprecated
    public BigDecimal getBigDecimal(int columnIndex, int scale) throws SQLException {
        int c = cell(columnIndex);
        if (unverified(c, BigDecimal.class)) {
            return handOver(c, unverifiedConversion(BigDecimal.class), rs -> rs.getBigDecimal(columnIndex, scale));
        }
        try {
            return ValueConverter.toBigDecimal(result, row(), c, scale);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getBigDecimal(columnIndex, scale));
        }
    }

    @Override
    public byte[] getBytes(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        try {
            return ValueConverter.toBytes(result, row(), c);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getBytes(columnIndex));
        }
    }

    @Override
    public Date getDate(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        try {
            return ValueConverter.toDate(result, row(), c, null);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getDate(columnIndex));
        }
    }

    @Override
    public Date getDate(int columnIndex, Calendar cal) throws SQLException {
        int c = cell(columnIndex);
        try {
            return ValueConverter.toDate(result, row(), c, cal);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getDate(columnIndex, cal));
        }
    }

    @Override
    public Time getTime(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        try {
            return ValueConverter.toTime(result, row(), c, null);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getTime(columnIndex));
        }
    }

    @Override
    public Time getTime(int columnIndex, Calendar cal) throws SQLException {
        int c = cell(columnIndex);
        try {
            return ValueConverter.toTime(result, row(), c, cal);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getTime(columnIndex, cal));
        }
    }

    @Override
    public Timestamp getTimestamp(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        try {
            return ValueConverter.toTimestamp(result, row(), c, null);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getTimestamp(columnIndex));
        }
    }

    @Override
    public Timestamp getTimestamp(int columnIndex, Calendar cal) throws SQLException {
        int c = cell(columnIndex);
        try {
            return ValueConverter.toTimestamp(result, row(), c, cal);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getTimestamp(columnIndex, cal));
        }
    }

    @Override
    public Object getObject(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        return ValueConverter.object(result, row(), c);
    }

    @Override
    public Object getObject(int columnIndex, Map<String, Class<?>> map) throws SQLException {
        if (map == null || map.isEmpty()) {
            return getObject(columnIndex);
        }
        int c = cell(columnIndex);
        return handOver(c, unsupported("getObject with a type map"), rs -> rs.getObject(columnIndex, map));
    }

    @Override
    public <T> T getObject(int columnIndex, Class<T> type) throws SQLException {
        int c = cell(columnIndex);
        if (type != null && type != Object.class && type != String.class && unverified(c, type)) {
            return handOver(c, unverifiedConversion(type), rs -> rs.getObject(columnIndex, type));
        }
        try {
            return ValueConverter.toObject(result, row(), c, type);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getObject(columnIndex, type));
        }
    }

    @Override
    public Reader getCharacterStream(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        if (!Conversions.answers(result.conversions(c), Conversions.CHARACTER_STREAM)) {
            return handOver(c, unsupported("getCharacterStream"), rs -> rs.getCharacterStream(columnIndex));
        }
        String s = result.string(row(), c);
        return s == null ? null : new StringReader(s);
    }

    @Override
    public Reader getNCharacterStream(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        if (!Conversions.answers(result.conversions(c), Conversions.N_CHARACTER_STREAM)) {
            return handOver(c, unsupported("getNCharacterStream"), rs -> rs.getNCharacterStream(columnIndex));
        }
        String s = result.string(row(), c);
        return s == null ? null : new StringReader(s);
    }

    @Override
    public InputStream getBinaryStream(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        if (verifiedGettersOnly) {
            return handOver(c, unverifiedConversion(InputStream.class), rs -> rs.getBinaryStream(columnIndex));
        }
        byte[] b;
        try {
            b = ValueConverter.toBytes(result, row(), c);
        } catch (RefusedConversion refused) {
            return handOver(c, refused, rs -> rs.getBinaryStream(columnIndex));
        }
        return b == null ? null : new ByteArrayInputStream(b);
    }

    @Override
    public InputStream getAsciiStream(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        return handOver(c, unsupported("getAsciiStream"), rs -> rs.getAsciiStream(columnIndex));
    }

    @Override
    @Deprecated
    public InputStream getUnicodeStream(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        return handOver(c, unsupported("getUnicodeStream"), rs -> rs.getUnicodeStream(columnIndex));
    }

    @Override
    public Ref getRef(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        return handOver(c, unsupported("getRef"), rs -> rs.getRef(columnIndex));
    }

    @Override
    public Blob getBlob(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        return handOver(c, unsupported("getBlob"), rs -> rs.getBlob(columnIndex));
    }

    @Override
    public Clob getClob(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        return handOver(c, unsupported("getClob"), rs -> rs.getClob(columnIndex));
    }

    @Override
    public NClob getNClob(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        return handOver(c, unsupported("getNClob"), rs -> rs.getNClob(columnIndex));
    }

    @Override
    public Array getArray(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        return handOver(c, unsupported("getArray"), rs -> rs.getArray(columnIndex));
    }

    @Override
    public SQLXML getSQLXML(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        return handOver(c, unsupported("getSQLXML"), rs -> rs.getSQLXML(columnIndex));
    }

    @Override
    public RowId getRowId(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        return handOver(c, unsupported("getRowId"), rs -> rs.getRowId(columnIndex));
    }

    @Override
    public URL getURL(int columnIndex) throws SQLException {
        int c = cell(columnIndex);
        return handOver(c, unsupported("getURL"), rs -> rs.getURL(columnIndex));
    }

    // ---- getters by label

    @Override
    public String getString(String columnLabel) throws SQLException {
        return getString(findColumn(columnLabel));
    }

    @Override
    public String getNString(String columnLabel) throws SQLException {
        return getNString(findColumn(columnLabel));
    }

    @Override
    public boolean getBoolean(String columnLabel) throws SQLException {
        return getBoolean(findColumn(columnLabel));
    }

    @Override
    public byte getByte(String columnLabel) throws SQLException {
        return getByte(findColumn(columnLabel));
    }

    @Override
    public short getShort(String columnLabel) throws SQLException {
        return getShort(findColumn(columnLabel));
    }

    @Override
    public int getInt(String columnLabel) throws SQLException {
        return getInt(findColumn(columnLabel));
    }

    @Override
    public long getLong(String columnLabel) throws SQLException {
        return getLong(findColumn(columnLabel));
    }

    @Override
    public float getFloat(String columnLabel) throws SQLException {
        return getFloat(findColumn(columnLabel));
    }

    @Override
    public double getDouble(String columnLabel) throws SQLException {
        return getDouble(findColumn(columnLabel));
    }

    @Override
    public BigDecimal getBigDecimal(String columnLabel) throws SQLException {
        return getBigDecimal(findColumn(columnLabel));
    }

    @Override
    @Deprecated
    public BigDecimal getBigDecimal(String columnLabel, int scale) throws SQLException {
        return getBigDecimal(findColumn(columnLabel), scale);
    }

    @Override
    public byte[] getBytes(String columnLabel) throws SQLException {
        return getBytes(findColumn(columnLabel));
    }

    @Override
    public Date getDate(String columnLabel) throws SQLException {
        return getDate(findColumn(columnLabel));
    }

    @Override
    public Date getDate(String columnLabel, Calendar cal) throws SQLException {
        return getDate(findColumn(columnLabel), cal);
    }

    @Override
    public Time getTime(String columnLabel) throws SQLException {
        return getTime(findColumn(columnLabel));
    }

    @Override
    public Time getTime(String columnLabel, Calendar cal) throws SQLException {
        return getTime(findColumn(columnLabel), cal);
    }

    @Override
    public Timestamp getTimestamp(String columnLabel) throws SQLException {
        return getTimestamp(findColumn(columnLabel));
    }

    @Override
    public Timestamp getTimestamp(String columnLabel, Calendar cal) throws SQLException {
        return getTimestamp(findColumn(columnLabel), cal);
    }

    @Override
    public Object getObject(String columnLabel) throws SQLException {
        return getObject(findColumn(columnLabel));
    }

    @Override
    public Object getObject(String columnLabel, Map<String, Class<?>> map) throws SQLException {
        return getObject(findColumn(columnLabel), map);
    }

    @Override
    public <T> T getObject(String columnLabel, Class<T> type) throws SQLException {
        return getObject(findColumn(columnLabel), type);
    }

    @Override
    public Reader getCharacterStream(String columnLabel) throws SQLException {
        return getCharacterStream(findColumn(columnLabel));
    }

    @Override
    public Reader getNCharacterStream(String columnLabel) throws SQLException {
        return getNCharacterStream(findColumn(columnLabel));
    }

    @Override
    public InputStream getBinaryStream(String columnLabel) throws SQLException {
        return getBinaryStream(findColumn(columnLabel));
    }

    @Override
    public InputStream getAsciiStream(String columnLabel) throws SQLException {
        return getAsciiStream(findColumn(columnLabel));
    }

    @Override
    @Deprecated
    public InputStream getUnicodeStream(String columnLabel) throws SQLException {
        return getUnicodeStream(findColumn(columnLabel));
    }

    @Override
    public Ref getRef(String columnLabel) throws SQLException {
        return getRef(findColumn(columnLabel));
    }

    @Override
    public Blob getBlob(String columnLabel) throws SQLException {
        return getBlob(findColumn(columnLabel));
    }

    @Override
    public Clob getClob(String columnLabel) throws SQLException {
        return getClob(findColumn(columnLabel));
    }

    @Override
    public NClob getNClob(String columnLabel) throws SQLException {
        return getNClob(findColumn(columnLabel));
    }

    @Override
    public Array getArray(String columnLabel) throws SQLException {
        return getArray(findColumn(columnLabel));
    }

    @Override
    public SQLXML getSQLXML(String columnLabel) throws SQLException {
        return getSQLXML(findColumn(columnLabel));
    }

    @Override
    public RowId getRowId(String columnLabel) throws SQLException {
        return getRowId(findColumn(columnLabel));
    }

    @Override
    public URL getURL(String columnLabel) throws SQLException {
        return getURL(findColumn(columnLabel));
    }

    // ---- result set properties

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        checkOpen();
        if (metaData == null) {
            metaData = new CachedResultSetMetaData(result);
        }
        return metaData;
    }

    @Override
    public Statement getStatement() throws SQLException {
        checkOpen();
        return statement;
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return null;
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
    }

    @Override
    public String getCursorName() throws SQLException {
        checkOpen();
        throw unsupported("getCursorName");
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkOpen();
        if (direction != FETCH_FORWARD && direction != FETCH_REVERSE && direction != FETCH_UNKNOWN) {
            throw new SQLException("Invalid fetch direction " + direction, "22023");
        }
        if (type == TYPE_FORWARD_ONLY && direction != FETCH_FORWARD) {
            throw new SQLException("Operation requires a scrollable ResultSet, but this ResultSet is TYPE_FORWARD_ONLY",
                    "24000");
        }
        fetchDirection = direction;
    }

    @Override
    public int getFetchDirection() throws SQLException {
        checkOpen();
        return fetchDirection;
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        checkOpen();
        if (rows < 0) {
            throw new SQLException("Fetch size must be a value greater than or equal to 0", "22023");
        }
        fetchSize = rows;
    }

    @Override
    public int getFetchSize() throws SQLException {
        checkOpen();
        return fetchSize;
    }

    @Override
    public int getType() throws SQLException {
        checkOpen();
        return type;
    }

    @Override
    public int getConcurrency() throws SQLException {
        checkOpen();
        return CONCUR_READ_ONLY;
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        return holdability;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (handover != null) {
                handover.close();
            }
        } finally {
            if (closeListener != null) {
                closeListener.closed(this);
            }
        }
    }

    /**
     * Whether a getter was handed over to the database and the real result set it opened on the statement is
     * still open. Its statement may then close that result first, the way it closes its own results, before
     * closing this one.
     */
    public boolean holdsRealResult() throws SQLException {
        return handover != null && handover.holdsRealResult();
    }

    /** Told once, when this result set is first closed. */
    @FunctionalInterface
    public interface CloseListener {
        void closed(CachedResultSet resultSet) throws SQLException;
    }

    /**
     * Sets who is told when this result set is closed: its statement, which closes itself then if the application
     * asked for {@code closeOnCompletion()}, as the real driver's statement would.
     */
    public void onClose(CloseListener listener) {
        this.closeListener = listener;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface != null && iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("Cannot unwrap to " + iface, "22023");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface != null && iface.isInstance(this);
    }

    // ---- read-only: no row changes, no updates

    @Override
    public boolean rowUpdated() throws SQLException {
        checkOpen();
        return false;
    }

    @Override
    public boolean rowInserted() throws SQLException {
        checkOpen();
        return false;
    }

    @Override
    public boolean rowDeleted() throws SQLException {
        checkOpen();
        return false;
    }

    @Override
    public void insertRow() throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateRow() throws SQLException {
        throw readOnly();
    }

    @Override
    public void deleteRow() throws SQLException {
        throw readOnly();
    }

    @Override
    public void refreshRow() throws SQLException {
        throw readOnly();
    }

    @Override
    public void cancelRowUpdates() throws SQLException {
        throw readOnly();
    }

    @Override
    public void moveToInsertRow() throws SQLException {
        throw readOnly();
    }

    @Override
    public void moveToCurrentRow() throws SQLException {
        throw readOnly();
    }

    private static SQLFeatureNotSupportedException readOnly() {
        return new SQLFeatureNotSupportedException("The ResultSet is CONCUR_READ_ONLY", "0A000");
    }

    private static SQLFeatureNotSupportedException unsupported(String method) {
        return new SQLFeatureNotSupportedException(method + " is not supported on a cached result", "0A000");
    }

    @Override
    public void updateArray(String columnLabel, Array x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateArray(int columnIndex, Array x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateAsciiStream(String columnLabel, InputStream x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateAsciiStream(String columnLabel, InputStream x1, int x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateAsciiStream(String columnLabel, InputStream x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateAsciiStream(int columnIndex, InputStream x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateAsciiStream(int columnIndex, InputStream x1, int x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateAsciiStream(int columnIndex, InputStream x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBigDecimal(String columnLabel, BigDecimal x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBigDecimal(int columnIndex, BigDecimal x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBinaryStream(String columnLabel, InputStream x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBinaryStream(String columnLabel, InputStream x1, int x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBinaryStream(String columnLabel, InputStream x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBinaryStream(int columnIndex, InputStream x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBinaryStream(int columnIndex, InputStream x1, int x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBinaryStream(int columnIndex, InputStream x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBlob(String columnLabel, Blob x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBlob(String columnLabel, InputStream x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBlob(String columnLabel, InputStream x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBlob(int columnIndex, Blob x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBlob(int columnIndex, InputStream x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBlob(int columnIndex, InputStream x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBoolean(String columnLabel, boolean x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBoolean(int columnIndex, boolean x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateByte(String columnLabel, byte x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateByte(int columnIndex, byte x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBytes(String columnLabel, byte[] x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateBytes(int columnIndex, byte[] x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateCharacterStream(String columnLabel, Reader x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateCharacterStream(String columnLabel, Reader x1, int x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateCharacterStream(String columnLabel, Reader x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateCharacterStream(int columnIndex, Reader x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateCharacterStream(int columnIndex, Reader x1, int x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateCharacterStream(int columnIndex, Reader x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateClob(String columnLabel, Clob x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateClob(String columnLabel, Reader x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateClob(String columnLabel, Reader x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateClob(int columnIndex, Clob x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateClob(int columnIndex, Reader x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateClob(int columnIndex, Reader x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateDate(String columnLabel, Date x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateDate(int columnIndex, Date x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateDouble(String columnLabel, double x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateDouble(int columnIndex, double x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateFloat(String columnLabel, float x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateFloat(int columnIndex, float x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateInt(String columnLabel, int x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateInt(int columnIndex, int x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateLong(String columnLabel, long x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateLong(int columnIndex, long x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNCharacterStream(String columnLabel, Reader x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNCharacterStream(String columnLabel, Reader x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNCharacterStream(int columnIndex, Reader x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNCharacterStream(int columnIndex, Reader x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNClob(String columnLabel, NClob x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNClob(String columnLabel, Reader x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNClob(String columnLabel, Reader x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNClob(int columnIndex, NClob x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNClob(int columnIndex, Reader x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNClob(int columnIndex, Reader x1, long x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNString(String columnLabel, String x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNString(int columnIndex, String x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNull(String columnLabel) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateNull(int columnIndex) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateObject(String columnLabel, Object x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateObject(String columnLabel, Object x1, int x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateObject(int columnIndex, Object x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateObject(int columnIndex, Object x1, int x2) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateRef(String columnLabel, Ref x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateRef(int columnIndex, Ref x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateRowId(String columnLabel, RowId x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateRowId(int columnIndex, RowId x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateSQLXML(String columnLabel, SQLXML x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateSQLXML(int columnIndex, SQLXML x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateShort(String columnLabel, short x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateShort(int columnIndex, short x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateString(String columnLabel, String x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateString(int columnIndex, String x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateTime(String columnLabel, Time x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateTime(int columnIndex, Time x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateTimestamp(String columnLabel, Timestamp x1) throws SQLException {
        throw readOnly();
    }

    @Override
    public void updateTimestamp(int columnIndex, Timestamp x1) throws SQLException {
        throw readOnly();
    }

}
