package dev.sqlcache.internal.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Buffers a real ResultSet row by row while the application reads it, so that the complete result can be
 * cached. Not thread-safe: one capture per executing statement.
 */
public final class ResultCapture {
    private static final int ROW_OVERHEAD = 16;

    private final ColumnMetadata[] columns;
    private final ValueKind[] kinds;
    private final int[] styles;
    private final int[] conversions;
    private final boolean[] probed;
    /** Per column, whether the driver's getObject is its getString ({@link #TEXT_IS_OBJECT}); set on the first row. */
    private boolean[] textIsObject;
    private final int maxRows;
    private final long maxBytes;
    private List<Object[]> rows = new ArrayList<>();
    private List<String[]> overrides = new ArrayList<>();
    private long bytes;
    private CaptureFailure failure;

    private ResultCapture(ColumnMetadata[] columns, ValueKind[] kinds, int maxRows, long maxBytes) {
        this.columns = columns;
        this.kinds = kinds;
        this.styles = new int[kinds.length];
        this.conversions = new int[kinds.length];
        this.probed = new boolean[kinds.length];
        Arrays.fill(styles, -1);
        this.maxRows = maxRows;
        this.maxBytes = maxBytes;
        this.bytes = 64L * columns.length;
    }

    /**
     * Starts a capture, or returns null when a column's type is one the codec cannot round-trip exactly (the
     * caller then passes the statement through uncached).
     */
    public static ResultCapture begin(ResultSetMetaData md, int maxRows, long maxBytes) throws SQLException {
        return begin(md, null, maxRows, maxBytes);
    }

    /**
     * As {@link #begin(ResultSetMetaData, int, long)}, reusing the columns {@code shape} holds from the statement's
     * last miss when the driver reports exactly the same metadata for every column (compared field by field), and
     * leaving this capture's columns there otherwise. {@code shape} may be null.
     */
    public static ResultCapture begin(ResultSetMetaData md, CaptureShape shape, int maxRows, long maxBytes)
            throws SQLException {
        int n = md.getColumnCount();
        CaptureShape.Known known = shape == null ? null : shape.get();
        if (known != null && known.columns().length == n && sameColumns(known.columns(), md)) {
            return new ResultCapture(known.columns(), known.kinds(), maxRows, maxBytes);
        }
        ColumnMetadata[] columns = new ColumnMetadata[n];
        ValueKind[] kinds = new ValueKind[n];
        for (int i = 0; i < n; i++) {
            int c = i + 1;
            kinds[i] = ValueKind.forColumn(md.getColumnType(c), md.getColumnClassName(c));
            if (kinds[i] == null) {
                return null;
            }
            columns[i] = CaptureShape.read(md, c);
        }
        if (shape != null) {
            shape.set(new CaptureShape.Known(columns, kinds));
        }
        return new ResultCapture(columns, kinds, maxRows, maxBytes);
    }

    private static boolean sameColumns(ColumnMetadata[] columns, ResultSetMetaData md) throws SQLException {
        for (int i = 0; i < columns.length; i++) {
            if (!CaptureShape.matches(columns[i], md, i + 1)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Captures the current row of rs. Returns false, dropping everything buffered, when the result exceeds the
     * limits or a value cannot round-trip; after that every call is a no-op returning false.
     */
    public boolean captureRow(ResultSet rs) throws SQLException {
        if (failure != null) {
            return false;
        }
        if (rows.size() >= maxRows) {
            return fail(CaptureFailure.TOO_LARGE);
        }
        int n = kinds.length;
        Object[] row = new Object[n];
        String[] over = null;
        long size = ROW_OVERHEAD;
        if (textIsObject == null) {
            textIsObject = textIsObject(rs, kinds);
        }
        for (int i = 0; i < n; i++) {
            ValueKind kind = kinds[i];
            Object o = rs.getObject(i + 1);
            String text = textIsObject[i] ? (o instanceof String t ? t : null) : rs.getString(i + 1);
            size += 1;
            if (o == null) {
                if (text != null) {
                    // The driver's getObject says NULL but getString has text (MariaDB's zero date 0000-00-00):
                    // its wasNull and its other getters (which throw) depend on which getter was called, and a
                    // cached NULL would answer every one of them as NULL.
                    return fail(CaptureFailure.UNSUPPORTED_TYPE);
                }
                continue;
            }
            if (o.getClass() != kind.javaClass) {
                return fail(CaptureFailure.UNSUPPORTED_TYPE);
            }
            if (!probed[i]) {
                probed[i] = true;
                conversions[i] = Conversions.probe(rs, i + 1, columns[i], kind);
            }
            Object v = internal(kind, o, text);
            row[i] = v;
            size += estimate(kind, v);
            boolean same;
            if (kind == ValueKind.STRING) {
                same = v.equals(text);
            } else {
                if (styles[i] < 0) {
                    styles[i] = chooseStyle(kind, columns[i].scale(), v, text);
                }
                same = StringFormats.matches(kind, styles[i], columns[i].scale(), v, text);
            }
            if (!same) {
                if (isInfinity(kind, text)) {
                    // PostgreSQL ±infinity: a sentinel java.sql value whose java.time form the cache cannot derive.
                    return fail(CaptureFailure.UNSUPPORTED_TYPE);
                }
                over = override(over, n, i, text);
                size += text == null ? 4 : text.length() + 4;
            }
        }
        bytes += size;
        if (bytes > maxBytes) {
            return fail(CaptureFailure.TOO_LARGE);
        }
        rows.add(row);
        overrides.add(over);
        return true;
    }

    /**
     * Whether the current row of {@code rs} holds in {@code column} (0-based) exactly the cell {@code result}
     * holds at {@code row}: the same column type and type name, the same getObject value in the form a capture
     * keeps (byte arrays by content, a time with its exact text), and the same getString text. A driver's answer
     * to any getter is a function of these, so a cell that passes answers every getter as the cached one would.
     */
    public static boolean sameCell(ResultSet rs, CachedResult result, int row, int column) throws SQLException {
        int c = column + 1;
        ColumnMetadata expected = result.column(column);
        ResultSetMetaData md = rs.getMetaData();
        if (md.getColumnCount() != result.columnCount() || md.getColumnType(c) != expected.columnType()
                || !Objects.equals(md.getColumnTypeName(c), expected.columnTypeName())) {
            return false;
        }
        ValueKind kind = result.kind(column);
        Object o = rs.getObject(c);
        String text = rs.getString(c);
        if (!Objects.equals(text, result.string(row, column))) {
            return false;
        }
        Object cached = result.value(row, column);
        if (o == null || cached == null) {
            return o == cached;
        }
        if (o.getClass() != kind.javaClass) {
            return false;
        }
        Object real = internal(kind, o, text);
        return kind == ValueKind.BYTES ? Arrays.equals((byte[]) real, (byte[]) cached) : real.equals(cached);
    }

    /** Why capturing stopped, or null while it is still going. */
    public CaptureFailure failure() {
        return failure;
    }

    /** Rows captured so far. */
    public int rowCount() {
        return failure == null ? rows.size() : 0;
    }

    /** The estimated encoded size so far. */
    public long estimatedBytes() {
        return bytes;
    }

    /** The captured result; call once after the real ResultSet's next() returned false. */
    public CachedResult finish() {
        if (failure != null) {
            throw new IllegalStateException("capture failed: " + failure);
        }
        int[] st = styles.clone();
        for (int i = 0; i < st.length; i++) {
            if (st[i] < 0) {
                st[i] = 0;
            }
        }
        CachedResult r = new CachedResult(columns, kinds, st, conversions.clone(), rows.toArray(new Object[0][]),
                overrides.toArray(new String[0][]));
        rows = null;
        overrides = null;
        return r;
    }

    /**
     * Result set classes whose {@code getObject} of a character column (the columns of kind STRING) is their
     * {@code getString} of it, read from the drivers' code: pgjdbc's {@code internalGetObject} returns
     * {@code getString(i)} for CHAR, VARCHAR and LONGVARCHAR, the only character types it reports; H2's
     * {@code getObject} returns {@code Value.getString()} for CHAR, VARCHAR and VARCHAR_IGNORECASE values, as its
     * {@code getString} does. On these a second call would only decode the same text again. Exact class names:
     * a subclass or another driver's wrapper may answer otherwise, and is asked.
     */
    private static final java.util.Set<String> TEXT_IS_OBJECT = java.util.Set.of(
            "org.postgresql.jdbc.PgResultSet", "org.h2.jdbc.JdbcResultSet");

    /** Per column, whether getString need not be asked: a STRING column of a driver of {@link #TEXT_IS_OBJECT}. */
    private static boolean[] textIsObject(ResultSet rs, ValueKind[] kinds) {
        boolean driver = TEXT_IS_OBJECT.contains(rs.getClass().getName());
        boolean[] skip = new boolean[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            skip[i] = driver && kinds[i] == ValueKind.STRING;
        }
        return skip;
    }

    private boolean fail(CaptureFailure why) {
        failure = why;
        rows = null;
        overrides = null;
        return false;
    }

    private static boolean isInfinity(ValueKind kind, String text) {
        return (kind == ValueKind.DATE || kind == ValueKind.TIMESTAMP)
                && ("infinity".equals(text) || "-infinity".equals(text));
    }

    private static String[] override(String[] over, int n, int i, String text) {
        if (over == null) {
            over = new String[n];
        }
        over[i] = text;
        return over;
    }

    private static int chooseStyle(ValueKind kind, int scale, Object v, String text) {
        int count = StringFormats.styleCount(kind);
        for (int s = 0; s < count; s++) {
            if (StringFormats.format(kind, s, scale, v).equals(text)) {
                return s;
            }
        }
        return 0;
    }

    /** Copies mutable driver objects so later changes by anyone cannot reach the cache. */
    private static Object internal(ValueKind kind, Object o, String text) {
        switch (kind) {
            case DATE:
                return new java.sql.Date(((java.sql.Date) o).getTime());
            case TIMESTAMP: {
                Timestamp src = (Timestamp) o;
                Timestamp t = new Timestamp(src.getTime());
                t.setNanos(src.getNanos());
                return t;
            }
            case TIME: {
                java.sql.Time t = (java.sql.Time) o;
                return new TimeValue(t.getTime(), exactTime(t, text));
            }
            case BYTES:
                return ((byte[]) o).clone();
            default:
                return o;
        }
    }

    /**
     * The exact time of day from the driver's text when it is a plain HH:mm:ss[.f] that agrees with the
     * java.sql.Time; null otherwise (24:00:00, negative or &gt;24h MariaDB times, times with an offset).
     */
    private static LocalTime exactTime(java.sql.Time t, String text) {
        if (text == null || text.length() < 8 || text.length() > 18 || text.charAt(2) != ':') {
            return null;
        }
        try {
            LocalTime lt = LocalTime.parse(text);
            return lt.withNano(0).equals(t.toLocalTime()) ? lt : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static long estimate(ValueKind kind, Object v) {
        switch (kind) {
            case STRING:
                return ((String) v).length() + 4L;
            case BYTES:
                return ((byte[]) v).length + 4L;
            case BIG_DECIMAL:
                return ((BigDecimal) v).unscaledValue().bitLength() / 8 + 8L;
            case BIG_INTEGER:
                return ((BigInteger) v).bitLength() / 8 + 4L;
            default:
                return 12;
        }
    }
}
