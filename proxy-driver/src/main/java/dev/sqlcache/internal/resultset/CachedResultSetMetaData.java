package dev.sqlcache.internal.resultset;

import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.ColumnMetadata;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/** ResultSetMetaData answering exactly what the real driver reported when the result was captured. */
public final class CachedResultSetMetaData implements ResultSetMetaData {
    private final CachedResult result;

    public CachedResultSetMetaData(CachedResult result) {
        this.result = result;
    }

    private ColumnMetadata col(int column) throws SQLException {
        if (column < 1 || column > result.columnCount()) {
            throw new SQLException("The column index is out of range: " + column + ", number of columns: "
                    + result.columnCount(), "07009");
        }
        return result.column(column - 1);
    }

    @Override
    public int getColumnCount() {
        return result.columnCount();
    }

    @Override
    public boolean isAutoIncrement(int column) throws SQLException {
        return col(column).autoIncrement();
    }

    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
        return col(column).caseSensitive();
    }

    @Override
    public boolean isSearchable(int column) throws SQLException {
        return col(column).searchable();
    }

    @Override
    public boolean isCurrency(int column) throws SQLException {
        return col(column).currency();
    }

    @Override
    public int isNullable(int column) throws SQLException {
        return col(column).nullable();
    }

    @Override
    public boolean isSigned(int column) throws SQLException {
        return col(column).signed();
    }

    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
        return col(column).columnDisplaySize();
    }

    @Override
    public String getColumnLabel(int column) throws SQLException {
        return col(column).columnLabel();
    }

    @Override
    public String getColumnName(int column) throws SQLException {
        return col(column).columnName();
    }

    @Override
    public String getSchemaName(int column) throws SQLException {
        return col(column).schemaName();
    }

    @Override
    public int getPrecision(int column) throws SQLException {
        return col(column).precision();
    }

    @Override
    public int getScale(int column) throws SQLException {
        return col(column).scale();
    }

    @Override
    public String getTableName(int column) throws SQLException {
        return col(column).tableName();
    }

    @Override
    public String getCatalogName(int column) throws SQLException {
        return col(column).catalogName();
    }

    @Override
    public int getColumnType(int column) throws SQLException {
        return col(column).columnType();
    }

    @Override
    public String getColumnTypeName(int column) throws SQLException {
        return col(column).columnTypeName();
    }

    @Override
    public boolean isReadOnly(int column) throws SQLException {
        return col(column).readOnly();
    }

    @Override
    public boolean isWritable(int column) throws SQLException {
        return col(column).writable();
    }

    @Override
    public boolean isDefinitelyWritable(int column) throws SQLException {
        return col(column).definitelyWritable();
    }

    @Override
    public String getColumnClassName(int column) throws SQLException {
        return col(column).columnClassName();
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
}
