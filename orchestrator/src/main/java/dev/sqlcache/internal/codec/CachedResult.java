package dev.sqlcache.internal.codec;

import java.util.List;

/**
 * A captured result, immutable and safe to share between threads and hits. Column and row indexes are
 * 0-based. Values are held in their internal form (see {@link #value}); nothing is parsed on a hit.
 */
public final class CachedResult {
    private final ResultColumns shape;
    private final ColumnMetadata[] columns;
    private final ValueKind[] kinds;
    private final Object[][] rows;
    /** Per row the driver's getString text for cells where the column's style does not reproduce it, or null. */
    private final String[][] overrides;

    CachedResult(ColumnMetadata[] columns, ValueKind[] kinds, int[] styles, int[] conversions, Object[][] rows,
                 String[][] overrides) {
        this(new ResultColumns(columns, kinds, styles, conversions), rows, overrides);
    }

    /** A result whose columns may be shared with other results of the same shape. */
    CachedResult(ResultColumns shape, Object[][] rows, String[][] overrides) {
        this.shape = shape;
        this.columns = shape.columns;
        this.kinds = shape.kinds;
        this.rows = rows;
        this.overrides = overrides;
    }

    public int columnCount() {
        return columns.length;
    }

    public int rowCount() {
        return rows.length;
    }

    public ColumnMetadata column(int column) {
        return columns[column];
    }

    public List<ColumnMetadata> columns() {
        return List.of(columns);
    }

    /**
     * The 1-based index of the first column whose label equals {@code label} ignoring case (as
     * {@code ResultSet.findColumn} finds it), or 0 when none does. Allocates nothing once the shape has been asked.
     */
    public int columnIndex(String label) {
        return shape.indexOf(label);
    }

    public ValueKind kind(int column) {
        return kinds[column];
    }

    /**
     * True for a TIME/TIMESTAMP column whose database type carries a time zone (PostgreSQL timestamptz/timetz):
     * its java.sql value is an absolute instant, not a local date-time.
     */
    public boolean zoned(int column) {
        return shape.zoned[column];
    }

    /**
     * The internal value of a cell, null for SQL NULL. Its class is {@link ValueKind#javaClass()} except for
     * TIME, held as a {@link TimeValue}. Mutable objects (byte[], java.sql.Date, java.sql.Timestamp) are shared:
     * callers must copy before handing them out and must never modify them.
     */
    public Object value(int row, int column) {
        return rows[row][column];
    }

    /** Exactly what the driver's getString returned for this cell. */
    public String string(int row, int column) {
        String[] o = overrides[row];
        if (o != null && o[column] != null) {
            return o[column];
        }
        Object v = rows[row][column];
        if (v == null) {
            return null;
        }
        return StringFormats.format(kinds[column], shape.styles[column], columns[column].scale(), v);
    }

    ResultColumns shape() {
        return shape;
    }

    ValueKind[] kinds() {
        return kinds;
    }

    /** The {@link Conversions} bits of a column: what the real driver converts its values to. */
    public int conversions(int column) {
        return shape.conversions[column];
    }

    int style(int column) {
        return shape.styles[column];
    }

    Object[] row(int row) {
        return rows[row];
    }

    String[] overrides(int row) {
        return overrides[row];
    }
}
