package dev.sqlcache.internal.analysis;

import dev.sqlcache.internal.analysis.PinConditions.Candidate;
import dev.sqlcache.internal.analysis.SqlLexer.Token;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.Query;
import org.jooq.QueryPart;
import org.jooq.Row;
import org.jooq.SelectQuery;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.impl.QOM;
import org.jooq.impl.TableImpl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Finds, in a parsed statement, the key pins of {@link QueryAnalysis#keyPins()}: per table, the columns that the
 * statement's filter (or an INSERT's VALUES) ties to literals and bind markers by equality.
 *
 * <p>The rules err towards no pin, since a missing pin only costs hit ratio and a wrong one serves stale data: a
 * condition pins a table only as a top-level AND conjunct of the WHERE of the block whose FROM holds that table; an
 * unqualified column belongs to a table only when that FROM holds nothing else; a table named more than once in
 * the statement, or named like a CTE, gets no pins; a column pinned twice gets none. For a write, only the written
 * table is reported, and only when it is the statement's single target without {@code UPDATE ... FROM},
 * {@code DELETE ... USING} or joins.
 */
final class KeyPins {

    /** One table of a FROM clause; {@code table} is null for anything that is not a plain table. */
    private record Leaf(String table, String alias) {

        boolean answersTo(String qualifier) {
            if (alias != null) {
                return alias.equals(qualifier);
            }
            return table != null && (table.equals(qualifier) || baseName(table).equals(qualifier));
        }
    }

    private final PinConditions conditions;
    private final Function<QueryPart, String> declaration;
    private final Map<String, Map<String, List<KeySource>>> pins = new TreeMap<>();
    private final Map<String, Set<String>> twicePinned = new HashMap<>();
    private final Map<String, Object> blockOf = new HashMap<>();
    private final Set<String> inSeveralBlocks = new HashSet<>();

    /**
     * @param binds       the numbering of the statement's bind markers, or null when they cannot be identified
     * @param declaration renders a table as declared in a FROM clause, to see a derived column list
     *                    ({@code t AS x(a, b)} renames t's columns)
     */
    private KeyPins(NumberedBinds binds, Function<QueryPart, String> declaration) {
        this.conditions = new PinConditions(binds);
        this.declaration = declaration;
    }

    /**
     * The key pins of one statement.
     *
     * @param query       the parsed statement whose bind values {@code binds} numbers
     * @param blocks      the query blocks met while rendering {@code query}
     * @param tables      the tables found while rendering the statement
     * @param kind        the statement's kind
     * @param statement   the statement's tokens
     * @param binds       the bind numbering, or null
     * @param declaration see {@link #KeyPins}
     * @return per table (spelled as in tablesRead/tablesWritten), its pins sorted by column; never null
     */
    static Map<String, List<ColumnPin>> find(Query query, QueryBlocks blocks, TableCollector tables, StatementKind kind,
                                             List<Token> statement, NumberedBinds binds,
                                             Function<QueryPart, String> declaration) {
        KeyPins finder = new KeyPins(binds, declaration);
        Set<String> reportable;
        if (kind == StatementKind.SELECT) {
            for (SelectQuery<?> block : blocks.blocks()) {
                finder.block(block, block.$from(), block.$where());
            }
            reportable = tables.tablesRead();
        } else {
            if (tables.tablesWritten().size() != 1 || tables.unknownFunction()) {
                return Map.of();
            }
            finder.write(query, statement);
            reportable = tables.tablesWritten();
        }
        return finder.result(reportable, tables, blocks.cteNames());
    }

    private void write(Query query, List<Token> statement) {
        if (query instanceof QOM.UpdateReturning<?> returning) {
            query = returning.$update();
        } else if (query instanceof QOM.DeleteReturning<?> returning) {
            query = returning.$delete();
        } else if (query instanceof QOM.InsertReturning<?> returning) {
            query = returning.$insert();
        }
        // UPDATE ... FROM, DELETE ... USING and MySQL's multi-table forms (a join as the target) write rows chosen
        // through other tables: no pins.
        if (query instanceof QOM.Update<?> update && update.$from().isEmpty()
                && !(update.$table() instanceof QOM.JoinTable<?, ?>)) {
            block(update, List.of(update.$table()), update.$where());
        } else if (query instanceof QOM.Delete<?> delete && delete.$using().isEmpty()
                && !(delete.$from() instanceof QOM.JoinTable<?, ?>)) {
            block(delete, List.of(delete.$from()), delete.$where());
        } else if (query instanceof QOM.Insert<?> insert) {
            insert(insert, statement);
        }
    }

    private void block(Object block, List<? extends Table<?>> from, Condition where) {
        List<Leaf> leaves = new ArrayList<>();
        for (Table<?> table : from) {
            leaves(table, leaves);
        }
        for (Leaf leaf : leaves) {
            if (leaf.table() != null) {
                Object earlier = blockOf.putIfAbsent(leaf.table(), block);
                if (earlier != null && earlier != block) {
                    inSeveralBlocks.add(leaf.table()); // jOOQ rendered a copy of the block: trust neither
                }
            }
        }
        for (Candidate candidate : conditions.read(where)) {
            Leaf owner = owner(candidate.column(), leaves);
            if (owner != null && owner.table() != null) {
                add(owner.table(), columnName(candidate.column().getQualifiedName()), candidate.values());
            }
        }
    }

    /**
     * INSERT ... VALUES with a column list: each listed column holds, in every row written, one of the values
     * given for it. Not for INSERT ... SELECT, DEFAULT VALUES, or VALUES without a column list.
     */
    private void insert(QOM.Insert<?> insert, List<Token> statement) {
        if (insert.$select() != null || insert.$defaultValues() || !hasColumnList(statement)) {
            return;
        }
        List<Leaf> target = new ArrayList<>();
        leaves(insert.$into(), target);
        List<? extends Field<?>> columns = insert.$columns();
        List<? extends Row> rows = insert.$values();
        if (target.size() != 1 || target.get(0).table() == null || columns.isEmpty() || rows.isEmpty()
                || rows.size() > PinConditions.MAX_VALUES) {
            return;
        }
        String table = target.get(0).table();
        blockOf.put(table, insert);
        for (int c = 0; c < columns.size(); c++) {
            if (!(columns.get(c) instanceof TableField<?, ?> column)) {
                continue;
            }
            List<KeySource> values = new ArrayList<>(rows.size());
            for (Row row : rows) {
                KeySource value = row.size() == columns.size() ? conditions.source(row.field(c)) : null;
                if (value == null) {
                    values = null;
                    break;
                }
                values.add(value);
            }
            if (values != null) {
                add(table, columnName(column.getQualifiedName()), values);
            }
        }
    }

    /**
     * Whether an INSERT names its columns: the token before its first VALUES closes a column list. Without one,
     * jOOQ invents column names, and which value goes to which column is the table's business.
     */
    private static boolean hasColumnList(List<Token> statement) {
        for (int i = 1; i < statement.size(); i++) {
            Token token = statement.get(i);
            if (token.isWord("VALUES") || token.isWord("VALUE")) {
                return statement.get(i - 1).isSymbol(')');
            }
        }
        return true; // MySQL's INSERT ... SET col = value names every column
    }

    private void leaves(Table<?> table, List<Leaf> out) {
        if (table instanceof QOM.JoinTable<?, ?> join) {
            leaves(join.$table1(), out);
            leaves(join.$table2(), out);
        } else if (table instanceof QOM.TableAlias<?> aliased) {
            String alias = lower(aliased.$alias().last());
            boolean renamesColumns = declaration.apply(aliased).indexOf('(') >= 0;
            out.add(new Leaf(renamesColumns ? null : plainName(aliased.$table()), alias));
        } else {
            out.add(new Leaf(plainName(table), null));
        }
    }

    /** The formatted name of a table as the FROM names it, or null for a derived table, function, VALUES ... */
    private static String plainName(Table<?> table) {
        if (table.getClass() != TableImpl.class || table.getQualifiedName().empty()) {
            return null;
        }
        return TableCollector.format(table.getQualifiedName());
    }

    /** The leaf a column belongs to: by its qualifier, or the only leaf when it is unqualified. */
    private static Leaf owner(TableField<?, ?> column, List<Leaf> leaves) {
        Name[] parts = column.getQualifiedName().parts();
        if (parts.length == 1) {
            return leaves.size() == 1 ? leaves.get(0) : null;
        }
        String qualifier = TableCollector.format(org.jooq.impl.DSL.name(Arrays.copyOf(parts, parts.length - 1)));
        Leaf found = null;
        for (Leaf leaf : leaves) {
            if (leaf.answersTo(qualifier)) {
                if (found != null) {
                    return null;
                }
                found = leaf;
            }
        }
        return found;
    }

    private void add(String table, String column, List<KeySource> values) {
        Map<String, List<KeySource>> columns = pins.computeIfAbsent(table, t -> new TreeMap<>());
        if (columns.putIfAbsent(column, values) != null) {
            twicePinned.computeIfAbsent(table, t -> new HashSet<>()).add(column);
        }
    }

    private Map<String, List<ColumnPin>> result(Set<String> reportable, TableCollector tables, Set<String> cteNames) {
        Map<String, List<ColumnPin>> result = new TreeMap<>();
        pins.forEach((table, columns) -> {
            String base = baseName(table);
            if (!reportable.contains(table) || inSeveralBlocks.contains(table) || tables.occurrences(base) != 1
                    || cteNames.contains(base)) {
                return;
            }
            Set<String> twice = twicePinned.getOrDefault(table, Set.of());
            List<ColumnPin> kept = new ArrayList<>();
            columns.forEach((column, values) -> {
                if (!twice.contains(column)) {
                    kept.add(new ColumnPin(column, values));
                }
            });
            if (!kept.isEmpty()) {
                result.put(table, List.copyOf(kept));
            }
        });
        return Map.copyOf(result);
    }

    private static String columnName(Name name) {
        return lower(name.last());
    }

    /** The last part of a formatted table name: {@code public.orders} is {@code orders}. */
    static String baseName(String table) {
        int dot = table.lastIndexOf('.');
        return dot < 0 ? table : table.substring(dot + 1);
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
