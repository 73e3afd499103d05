package dev.sqlcache.internal.feed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The stream names the table a row is stored in: a partition, or a child of an inheritance tree. Readers of the
 * partitioned table (or the parent) depend on its name, so every ancestor is invalidated too. Asked once per batch,
 * never remembered: a partition attached since the last batch must not be missed.
 */
final class TableAncestors {

    private static final String QUERY = "WITH RECURSIVE named(schema_name, table_name) AS ("
            + "SELECT * FROM unnest(?::text[], ?::text[])), "
            + "up(oid) AS (SELECT i.inhparent FROM named JOIN pg_namespace n ON n.nspname = named.schema_name "
            + "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = named.table_name "
            + "JOIN pg_inherits i ON i.inhrelid = c.oid "
            + "UNION SELECT i.inhparent FROM pg_inherits i JOIN up ON i.inhrelid = up.oid) "
            + "SELECT n.nspname, c.relname FROM up JOIN pg_class c ON c.oid = up.oid "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace";

    private TableAncestors() {
    }

    /**
     * The ancestors of the tables (parents, partitioned tables), transitively; not the tables themselves.
     *
     * @param tables {@code schema.name}, as the stream names them (unquoted)
     */
    static Set<String> ancestors(Connection connection, Set<String> tables) throws SQLException {
        Set<String> all = new LinkedHashSet<>();
        if (tables.isEmpty()) {
            return all;
        }
        try (PreparedStatement query = forTables(connection, QUERY, tables)) {
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    all.add(rs.getString(1) + "." + rs.getString(2));
                }
            }
        }
        return all;
    }

    /**
     * A catalog query whose two parameters are the tables' schemas and names, as text arrays of the same order.
     *
     * @param tables {@code schema.name}, as the stream names them (unquoted)
     */
    static PreparedStatement forTables(Connection connection, String sql, Set<String> tables) throws SQLException {
        List<String> schemas = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String table : tables) {
            int dot = table.indexOf('.');
            schemas.add(table.substring(0, dot));
            names.add(table.substring(dot + 1));
        }
        PreparedStatement query = connection.prepareStatement(sql);
        try {
            query.setArray(1, connection.createArrayOf("text", schemas.toArray()));
            query.setArray(2, connection.createArrayOf("text", names.toArray()));
            return query;
        } catch (SQLException | RuntimeException e) {
            query.close();
            throw e;
        }
    }
}
