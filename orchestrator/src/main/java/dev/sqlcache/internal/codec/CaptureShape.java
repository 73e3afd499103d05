package dev.sqlcache.internal.codec;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Objects;

/**
 * The columns a statement's last miss captured, so that the next miss of the same statement, whose driver most
 * often reports exactly the same metadata, reuses them instead of building a {@link ColumnMetadata} per column and
 * its value kinds again.
 *
 * <p>Only equality is trusted, never the statement, its epoch or its connection: every miss still asks the driver
 * for every field and reuses the columns only when each one equals what they hold. Keying by the statement alone
 * would not do: MariaDB's client-side prepared statements send bind values as literals, so that a column's label,
 * precision and display size can follow the values bound ({@code select ? as x}), and PostgreSQL types a bind-typed
 * column by the value's class; a connection's search path or catalog changes names without any DDL.
 *
 * <p>Thread-safe: one immutable snapshot, replaced whole.
 */
public final class CaptureShape {

    private volatile Known known;

    /** Columns and their kinds as one miss built them; never modified after publication. */
    record Known(ColumnMetadata[] columns, ValueKind[] kinds) {
    }

    /** The last columns captured, or null. */
    Known get() {
        return known;
    }

    void set(Known known) {
        this.known = known;
    }

    /** Whether the driver's metadata for 1-based column {@code c} equals {@code column} in every field. */
    static boolean matches(ColumnMetadata column, ResultSetMetaData md, int c) throws SQLException {
        return column.columnType() == md.getColumnType(c)
                && Objects.equals(column.columnTypeName(), md.getColumnTypeName(c))
                && Objects.equals(column.columnClassName(), md.getColumnClassName(c))
                && Objects.equals(column.columnLabel(), md.getColumnLabel(c))
                && Objects.equals(column.columnName(), md.getColumnName(c))
                && Objects.equals(column.tableName(), md.getTableName(c))
                && Objects.equals(column.schemaName(), md.getSchemaName(c))
                && Objects.equals(column.catalogName(), md.getCatalogName(c))
                && column.precision() == md.getPrecision(c)
                && column.scale() == md.getScale(c)
                && column.columnDisplaySize() == md.getColumnDisplaySize(c)
                && column.nullable() == md.isNullable(c)
                && column.autoIncrement() == md.isAutoIncrement(c)
                && column.caseSensitive() == md.isCaseSensitive(c)
                && column.searchable() == md.isSearchable(c)
                && column.currency() == md.isCurrency(c)
                && column.signed() == md.isSigned(c)
                && column.readOnly() == md.isReadOnly(c)
                && column.writable() == md.isWritable(c)
                && column.definitelyWritable() == md.isDefinitelyWritable(c);
    }

    /** Every field the driver reports for 1-based column {@code c}. */
    static ColumnMetadata read(ResultSetMetaData md, int c) throws SQLException {
        return new ColumnMetadata(md.getCatalogName(c), md.getSchemaName(c), md.getTableName(c),
                md.getColumnName(c), md.getColumnLabel(c), md.getColumnType(c), md.getColumnTypeName(c),
                md.getColumnClassName(c), md.getPrecision(c), md.getScale(c), md.getColumnDisplaySize(c),
                md.isNullable(c), md.isAutoIncrement(c), md.isCaseSensitive(c), md.isSearchable(c),
                md.isCurrency(c), md.isSigned(c), md.isReadOnly(c), md.isWritable(c),
                md.isDefinitelyWritable(c));
    }
}
