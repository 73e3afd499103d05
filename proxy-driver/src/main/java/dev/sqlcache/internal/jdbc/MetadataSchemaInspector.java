package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.engine.ExactTextKeys;
import dev.sqlcache.internal.engine.SchemaInspector;
import dev.sqlcache.internal.engine.TableFacts;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Learns table facts from the real connection: its kind from {@link DatabaseMetaData#getTables}, foreign key
 * actions from {@link DatabaseMetaData#getExportedKeys}, and triggers from each database's catalog. Runs on the
 * application's connection, only the first time a table is met (the engine remembers the answers).
 */
final class MetadataSchemaInspector implements SchemaInspector {

    /** Bounds the walk over foreign keys; a schema with longer chains is treated as unknown. */
    private static final int MAX_TABLES_FOLLOWED = 256;

    private final Connection connection;
    private final DatabaseFamily family;

    MetadataSchemaInspector(Connection connection, DatabaseFamily family) {
        this.connection = connection;
        this.family = family;
    }

    @Override
    public TableFacts inspect(String table) throws SQLException {
        DatabaseMetaData md = connection.getMetaData();
        Name name = Name.of(table);
        java.util.List<Name> found = locate(md, name);
        if (found.isEmpty()) {
            // Not shown by the metadata (a quoted mixed-case name, a synonym, something else): assume the worst
            // for reads, and nothing more than the name itself for writes.
            return new TableFacts(false, hasTriggers(name), Set.of());
        }
        // An unqualified name may mean the table of any schema on the search path: take every one's facts.
        boolean plain = true;
        // A write through a view or synonym changes the tables behind it, which only the database knows: like a
        // trigger that may write anything, it invalidates the whole database (sqlcache.triggerWrites can say more).
        boolean redirects = false;
        Set<String> onDelete = new LinkedHashSet<>();
        java.util.Map<String, Set<String>> onUpdate = new java.util.HashMap<>();
        for (Name match : found) {
            plain &= match.plain;
            redirects |= match.redirects;
            ForeignKeyActions actions = foreignKeyActions(md, match);
            onDelete.addAll(actions.onDelete());
            actions.onUpdate().forEach((column, tables) ->
                    onUpdate.computeIfAbsent(column, c -> new LinkedHashSet<>()).addAll(tables));
        }
        Name first = found.get(0);
        String self = first.table.toLowerCase(Locale.ROOT);
        Set<String> relatives = new LinkedHashSet<>(inheritanceRelatives(first));
        relatives.remove(self);
        onDelete.remove(self);
        onUpdate.values().forEach(tables -> tables.remove(self));
        // Rows of one table only: a name that may mean several tables gets no row-level treatment.
        java.util.List<TableFacts.KeyColumn> key = found.size() == 1 ? primaryKey(md, first)
                : java.util.List.of();
        return new TableFacts(plain, redirects || hasTriggers(first), relatives, onDelete, onUpdate, key);
    }

    /** A table name split into schema and table, as the database spells them. */
    private record Name(String schema, String table, boolean plain, boolean redirects) {
        static Name of(String qualified) {
            int dot = qualified.lastIndexOf('.');
            return dot < 0 ? new Name(null, qualified, false, false)
                    : new Name(qualified.substring(0, dot), qualified.substring(dot + 1), false, false);
        }
    }

    /**
     * Finds every relation of that name, in every schema, as the metadata spells it (databases fold unquoted names
     * to upper or lower case). When any of them is not a base table (a view in another schema on the search path,
     * say), the name is treated as not plain.
     */
    private java.util.List<Name> locate(DatabaseMetaData md, Name name) throws SQLException {
        if (name.schema == null && !family.isMySqlLike()) {
            // An unqualified name resolves to the first schema of the search path that has it: when the current
            // schema has it, that is the table (same-named tables in other schemas, one per tenant or per copy, do
            // not make it ambiguous). Otherwise every schema is looked at, and several matches stay ambiguous.
            String current = currentSchema();
            if (current != null) {
                java.util.List<Name> found = locate(md, new Name(current, name.table, false, false));
                if (!found.isEmpty()) {
                    return found;
                }
            }
        }
        for (String candidate : new LinkedHashSet<>(java.util.List.of(name.table,
                name.table.toUpperCase(Locale.ROOT), name.table.toLowerCase(Locale.ROOT)))) {
            String schema = name.schema;
            String catalog = null;
            if (schema != null && family.isMySqlLike()) {
                catalog = schema;
                schema = null;
            } else if (family.isMySqlLike()) {
                // An unqualified name means the connection's database only (there is no search path); asking every
                // database would find same-named tables elsewhere and give up row-level treatment as ambiguous.
                catalog = connection.getCatalog();
            } else if (schema != null && md.storesUpperCaseIdentifiers()) {
                schema = schema.toUpperCase(Locale.ROOT);
            }
            java.util.List<Name> found = new java.util.ArrayList<>();
            try (ResultSet rs = md.getTables(catalog, escape(md, schema), escape(md, candidate), null)) {
                while (rs.next()) {
                    String type = rs.getString("TABLE_TYPE");
                    found.add(new Name(family.isMySqlLike() ? rs.getString("TABLE_CAT") : rs.getString("TABLE_SCHEM"),
                            rs.getString("TABLE_NAME"), type != null && isBaseTable(type), type == null || redirects(type)));
                }
            }
            if (!found.isEmpty()) {
                return found;
            }
        }
        return java.util.List.of();
    }

    private String currentSchema() {
        try {
            return ConnectionProbe.schema(connection);
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    /** Views, synonyms and aliases: a write through them lands in other tables. */
    private static boolean redirects(String type) {
        String t = type.toUpperCase(Locale.ROOT);
        return t.contains("VIEW") || t.contains("SYNONYM") || t.contains("ALIAS");
    }

    private static boolean isBaseTable(String type) {
        String t = type.toUpperCase(Locale.ROOT);
        return t.equals("TABLE") || t.equals("BASE TABLE");
    }

    private static String escape(DatabaseMetaData md, String pattern) throws SQLException {
        if (pattern == null) {
            return null;
        }
        String escape = md.getSearchStringEscape();
        if (escape == null || escape.isEmpty()) {
            return pattern;
        }
        return pattern.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
    }

    /**
     * The tables this one's foreign key actions change: those a delete reaches through ON DELETE CASCADE, SET NULL
     * or SET DEFAULT, and, per referenced column, those an update of it reaches through ON UPDATE actions. Past the
     * first step every action is followed, whatever set it off (a cascaded delete, or a child's row changed by SET
     * NULL, may set off its own children's actions).
     */
    private record ForeignKeyActions(Set<String> onDelete, java.util.Map<String, Set<String>> onUpdate) {
    }

    private ForeignKeyActions foreignKeyActions(DatabaseMetaData md, Name start) throws SQLException {
        Set<String> onDelete = new LinkedHashSet<>();
        java.util.Map<String, Set<String>> onUpdate = new java.util.HashMap<>();
        // Each table's foreign keys are asked for once per inspection: catalog queries are slow on some databases
        // (MariaDB's information_schema), and several edges may lead to the same child.
        java.util.Map<String, java.util.List<Edge>> asked = new java.util.HashMap<>();
        for (Edge edge : exportedKeys(md, start, asked)) {
            if (edge.onDelete()) {
                onDelete.addAll(reachedFrom(md, edge.child(), asked));
            }
            if (edge.onUpdate()) {
                onUpdate.computeIfAbsent(edge.parentColumn(), c -> new LinkedHashSet<>())
                        .addAll(reachedFrom(md, edge.child(), asked));
            }
        }
        return new ForeignKeyActions(onDelete, onUpdate);
    }

    /** A foreign key into the table: the referencing table, which actions it has, the column it references. */
    private record Edge(Name child, boolean onDelete, boolean onUpdate, String parentColumn) {
    }

    private java.util.List<Edge> exportedKeys(DatabaseMetaData md, Name table,
                                              java.util.Map<String, java.util.List<Edge>> asked) throws SQLException {
        String id = table.schema + "." + table.table;
        java.util.List<Edge> known = asked.get(id);
        if (known != null) {
            return known;
        }
        java.util.List<Edge> edges = exportedKeysOf(md, table);
        asked.put(id, edges);
        return edges;
    }

    private java.util.List<Edge> exportedKeysOf(DatabaseMetaData md, Name table) throws SQLException {
        String catalog = family.isMySqlLike() ? table.schema : null;
        String schema = family.isMySqlLike() ? null : table.schema;
        java.util.List<Edge> edges = new java.util.ArrayList<>();
        try (ResultSet rs = md.getExportedKeys(catalog, schema, table.table)) {
            while (rs.next()) {
                boolean onDelete = acts(rs.getShort("DELETE_RULE"));
                boolean onUpdate = acts(rs.getShort("UPDATE_RULE"));
                if (onDelete || onUpdate) {
                    Name child = new Name(family.isMySqlLike() ? rs.getString("FKTABLE_CAT")
                            : rs.getString("FKTABLE_SCHEM"), rs.getString("FKTABLE_NAME"), true, false);
                    edges.add(new Edge(child, onDelete, onUpdate,
                            rs.getString("PKCOLUMN_NAME").toLowerCase(Locale.ROOT)));
                }
            }
        }
        return edges;
    }

    /** The table and every table its own actions (any of them) reach, transitively. */
    private Set<String> reachedFrom(DatabaseMetaData md, Name first,
                                    java.util.Map<String, java.util.List<Edge>> asked) throws SQLException {
        Set<String> reached = new LinkedHashSet<>();
        Deque<Name> pending = new ArrayDeque<>();
        pending.add(first);
        Set<String> visited = new LinkedHashSet<>();
        while (!pending.isEmpty() && visited.size() < MAX_TABLES_FOLLOWED) {
            Name current = pending.poll();
            if (!visited.add(current.schema + "." + current.table)) {
                continue;
            }
            reached.add(current.table.toLowerCase(Locale.ROOT));
            for (Edge edge : exportedKeys(md, current, asked)) {
                pending.add(edge.child());
            }
        }
        if (!pending.isEmpty()) {
            throw new SQLException("foreign key chain from " + first.table + " too deep to follow");
        }
        return reached;
    }

    /** The primary key's columns in key order, with their types; empty when there is none. */
    private java.util.List<TableFacts.KeyColumn> primaryKey(DatabaseMetaData md, Name table) throws SQLException {
        String catalog = family.isMySqlLike() ? table.schema : null;
        String schema = family.isMySqlLike() ? null : table.schema;
        java.util.TreeMap<Short, String> columns = new java.util.TreeMap<>();
        try (ResultSet rs = md.getPrimaryKeys(catalog, schema, table.table)) {
            while (rs.next()) {
                columns.put(rs.getShort("KEY_SEQ"), rs.getString("COLUMN_NAME"));
            }
        }
        if (columns.isEmpty()) {
            return java.util.List.of();
        }
        // One query for every column's type (not one per key column): catalog queries can be slow.
        java.util.Map<String, TableFacts.KeyColumn> types = new java.util.HashMap<>();
        try (ResultSet rs = md.getColumns(catalog, escape(md, schema), escape(md, table.table), null)) {
            while (rs.next()) {
                String name = rs.getString("COLUMN_NAME");
                types.put(name, new TableFacts.KeyColumn(name.toLowerCase(Locale.ROOT), rs.getInt("DATA_TYPE"),
                        String.valueOf(rs.getString("TYPE_NAME")).toLowerCase(Locale.ROOT)));
            }
        }
        java.util.List<TableFacts.KeyColumn> key = new java.util.ArrayList<>();
        for (String column : columns.values()) {
            TableFacts.KeyColumn typed = types.get(column);
            if (typed == null) {
                return java.util.List.of();
            }
            key.add(typed);
        }
        return withExactText(md, table, key);
    }

    /**
     * The key with its text columns marked when the database compares them byte for byte ({@link ExactTextKeys});
     * unmarked text is never key-level, so a collation that finds {@code 'ABC'} for {@code 'abc'} cannot leave a
     * read stale. Asked only when the key has a text column.
     */
    private java.util.List<TableFacts.KeyColumn> withExactText(DatabaseMetaData md, Name table,
                                                               java.util.List<TableFacts.KeyColumn> key)
            throws SQLException {
        if (key.stream().noneMatch(column -> ExactTextKeys.plainText(column.typeName()))) {
            return key;
        }
        java.util.Map<String, Boolean> exact = exactTextColumns(md, table, key);
        java.util.List<TableFacts.KeyColumn> marked = new java.util.ArrayList<>(key.size());
        for (TableFacts.KeyColumn column : key) {
            marked.add(new TableFacts.KeyColumn(column.name(), column.jdbcType(), column.typeName(),
                    ExactTextKeys.plainText(column.typeName()) && exact.getOrDefault(column.name(), false)));
        }
        return marked;
    }

    /** Per column (lower case), whether its comparison is exact; a column missing from the answer is not. */
    private java.util.Map<String, Boolean> exactTextColumns(DatabaseMetaData md, Name table,
                                                            java.util.List<TableFacts.KeyColumn> key)
            throws SQLException {
        java.util.Map<String, Boolean> exact = new java.util.HashMap<>();
        java.util.Map<String, String> types = new java.util.HashMap<>();
        key.forEach(column -> types.put(column.name(), column.typeName()));
        switch (family) {
            case POSTGRES -> {
                // Non-deterministic collations came with PostgreSQL 12; before, every collation is deterministic.
                String deterministic = md.getDatabaseMajorVersion() >= 12
                        ? "coalesce(co.collisdeterministic, true)" : "true";
                String sql = "select a.attname, " + deterministic + ", current_setting('server_encoding') = 'UTF8'"
                        + " from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid"
                        + " join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
                        + " left join pg_catalog.pg_collation co on co.oid = a.attcollation"
                        + " where n.nspname = ? and c.relname = ? and a.attnum > 0 and not a.attisdropped";
                judgeColumns(sql, table, types, exact,
                        (type, rs) -> ExactTextKeys.postgres(type, rs.getBoolean(2), rs.getBoolean(3)));
            }
            case MARIADB -> {
                String sql = "select column_name, character_set_name, collation_name from information_schema.columns"
                        + " where table_schema = ? and table_name = ?";
                judgeColumns(sql, table, types, exact,
                        (type, rs) -> ExactTextKeys.mariaDb(type, rs.getString(2), rs.getString(3)));
            }
            case H2 -> {
                String collation = h2Collation();
                types.forEach((name, type) -> exact.put(name, ExactTextKeys.h2(type, collation)));
            }
            default -> {
                // MySQL, HSQLDB, Derby, SQLite, unknown: text keys stay table-level (ExactTextKeys).
            }
        }
        return exact;
    }

    /** Judges one catalog row of a key column: whether the database compares it exactly. */
    private interface ColumnJudge {
        boolean exact(String type, ResultSet row) throws SQLException;
    }

    /**
     * Runs a catalog query of the table's columns (name first; schema and table as its two parameters) and judges
     * each key column it names. Two columns folding to one name must both be exact.
     */
    private void judgeColumns(String sql, Name table, java.util.Map<String, String> types,
                              java.util.Map<String, Boolean> exact, ColumnJudge judge) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, table.schema);
            ps.setString(2, table.table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1).toLowerCase(Locale.ROOT);
                    String type = types.get(name);
                    if (type != null) {
                        exact.merge(name, judge.exact(type, rs), Boolean::logicalAnd);
                    }
                }
            }
        }
    }

    /**
     * H2's database collation: {@code OFF} when none is set (H2 2 then lists no such setting), or null when it cannot
     * be read (H2 1.4 names the columns otherwise; then: not exact).
     */
    private String h2Collation() {
        try (PreparedStatement ps = connection.prepareStatement(
                "select setting_value from information_schema.settings where setting_name = 'COLLATION'");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : "OFF";
        } catch (SQLException e) {
            return null;
        }
    }

    private static boolean acts(short rule) {
        return rule == DatabaseMetaData.importedKeyCascade || rule == DatabaseMetaData.importedKeySetNull
                || rule == DatabaseMetaData.importedKeySetDefault;
    }

    /**
     * PostgreSQL inheritance and partitioning: a parent's rows include its children's, and a write through the
     * parent lands in a child. A write to one therefore changes what reads of the others return, in both
     * directions, transitively.
     */
    private Set<String> inheritanceRelatives(Name name) throws SQLException {
        if (family != DatabaseFamily.POSTGRES) {
            return Set.of();
        }
        String sql = "with recursive t(oid) as (select oid from pg_catalog.pg_class where lower(relname) = lower(?)),"
                + " up(oid) as (select i.inhparent from pg_catalog.pg_inherits i join t on i.inhrelid = t.oid"
                + "   union select i.inhparent from pg_catalog.pg_inherits i join up on i.inhrelid = up.oid),"
                + " down(oid) as (select i.inhrelid from pg_catalog.pg_inherits i join t on i.inhparent = t.oid"
                + "   union select i.inhrelid from pg_catalog.pg_inherits i join down on i.inhparent = down.oid)"
                + " select lower(c.relname) from pg_catalog.pg_class c"
                + " where c.oid in (select oid from up union select oid from down)";
        Set<String> relatives = new LinkedHashSet<>();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, name.table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    relatives.add(rs.getString(1));
                }
            }
        }
        return relatives;
    }

    /** Whether any trigger is defined on the table; when the database cannot say, assume one is. */
    private boolean hasTriggers(Name name) throws SQLException {
        String sql = switch (family) {
            case POSTGRES -> "select 1 from pg_catalog.pg_trigger t join pg_catalog.pg_class c on c.oid = t.tgrelid"
                    + " where not t.tgisinternal and lower(c.relname) = lower(?)";
            case H2, MYSQL, MARIADB, HSQLDB -> "select 1 from information_schema.triggers"
                    + " where lower(event_object_table) = lower(?)";
            case DERBY -> "select 1 from sys.systriggers tr join sys.systables t on t.tableid = tr.tableid"
                    + " where lower(t.tablename) = lower(?)";
            // A temporary trigger (sqlite_temp_master) may fire on a table of the main database.
            case SQLITE -> "select 1 from sqlite_master where type = 'trigger' and lower(tbl_name) = lower(?)"
                    + " union all select 1 from sqlite_temp_master where type = 'trigger' and lower(tbl_name) = lower(?)";
            default -> null;
        };
        if (sql == null) {
            return true;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, name.table);
            if (family == DatabaseFamily.SQLITE) {
                ps.setString(2, name.table);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
