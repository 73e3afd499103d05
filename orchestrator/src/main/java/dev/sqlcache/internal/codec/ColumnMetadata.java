package dev.sqlcache.internal.codec;

/**
 * Everything {@link java.sql.ResultSetMetaData} reported for one column, captured on a miss so that a hit
 * reports exactly the same.
 */
public record ColumnMetadata(String catalogName,
                             String schemaName,
                             String tableName,
                             String columnName,
                             String columnLabel,
                             int columnType,
                             String columnTypeName,
                             String columnClassName,
                             int precision,
                             int scale,
                             int columnDisplaySize,
                             int nullable,
                             boolean autoIncrement,
                             boolean caseSensitive,
                             boolean searchable,
                             boolean currency,
                             boolean signed,
                             boolean readOnly,
                             boolean writable,
                             boolean definitelyWritable) {
}
