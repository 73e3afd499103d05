package dev.sqlcache.internal.feed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The primary keys of the tables whose rows a batch updated or deleted, from the catalog: which columns, in key order
 * (the order a reader's key plan hashes them in, as the JDBC metadata's {@code KEY_SEQ} gives it), their types and
 * collations, and the table's replica identity. Asked once per batch, never remembered, like {@link TableAncestors}.
 */
final class PrimaryKeys {

    /**
     * One primary key column.
     *
     * @param typeName      {@code pg_type.typname} ({@code int4}, {@code varchar}, ...)
     * @param deterministic whether its collation compares exactly (a non-deterministic one may match other text)
     */
    record Column(String name, String typeName, boolean deterministic) {
    }

    /**
     * A table's primary key.
     *
     * @param identityIsKey whether an UPDATE that changes the key shows the old key in the stream: the replica
     *                      identity is the primary key (the default) or the full row. With another index or none, a
     *                      key change cannot be told from the stream.
     * @param utf8          whether the database's text is UTF-8, as the feed decodes it
     */
    record Key(List<Column> columns, boolean identityIsKey, boolean utf8) {
    }

    private static final String QUERY = "WITH named(schema_name, table_name) AS ("
            + "SELECT * FROM unnest(?::text[], ?::text[])) "
            + "SELECT named.schema_name, named.table_name, c.relreplident, a.attname, t.typname, "
            + "coalesce(co.collisdeterministic, true), current_setting('server_encoding') = 'UTF8' "
            + "FROM named JOIN pg_namespace n ON n.nspname = named.schema_name "
            + "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = named.table_name "
            + "JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
            + "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
            + "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
            + "JOIN pg_type t ON t.oid = a.atttypid "
            + "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
            + "ORDER BY 1, 2, k.ord";

    private PrimaryKeys() {
    }

    /**
     * The primary keys of these tables; a table without one is absent.
     *
     * @param tables {@code schema.name}, as the stream names them (unquoted)
     */
    static Map<String, Key> of(Connection connection, Set<String> tables) throws SQLException {
        Map<String, Key> keys = new HashMap<>();
        if (tables.isEmpty()) {
            return keys;
        }
        Map<String, List<Column>> columns = new HashMap<>();
        Map<String, Boolean> identityIsKey = new HashMap<>();
        boolean utf8 = false;
        try (PreparedStatement query = TableAncestors.forTables(connection, QUERY, tables)) {
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(1) + "." + rs.getString(2);
                    String identity = rs.getString(3);
                    identityIsKey.put(table, "d".equals(identity) || "f".equals(identity));
                    columns.computeIfAbsent(table, t -> new ArrayList<>())
                            .add(new Column(rs.getString(4), rs.getString(5), rs.getBoolean(6)));
                    utf8 = rs.getBoolean(7);
                }
            }
        }
        for (Map.Entry<String, List<Column>> key : columns.entrySet()) {
            keys.put(key.getKey(), new Key(List.copyOf(key.getValue()), identityIsKey.get(key.getKey()), utf8));
        }
        return keys;
    }
}
