package dev.sqlcache.internal.analysis;

import dev.sqlcache.internal.analysis.SqlLexer.Token;
import org.jooq.Field;
import org.jooq.FieldOrRow;
import org.jooq.Merge;
import org.jooq.Query;
import org.jooq.Row;
import org.jooq.impl.QOM;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a write does to its rows beyond its filter: the columns it assigns, and whether it is an upsert, which may
 * change a row other than the ones its values name (the one that conflicts on any unique key).
 *
 * @param assignedColumns lower-case unqualified names of every column an UPDATE's SET (or an upsert's update
 *                        part) assigns; empty otherwise
 * @param upsert          INSERT ... ON CONFLICT, ON DUPLICATE KEY UPDATE, REPLACE, MERGE
 */
record WriteShape(Set<String> assignedColumns, boolean upsert) {

    static final WriteShape NONE = new WriteShape(Set.of(), false);

    WriteShape {
        assignedColumns = Set.copyOf(assignedColumns);
    }

    /** The shape of a parsed statement. */
    static WriteShape of(Query query) {
        if (query instanceof QOM.UpdateReturning<?> returning) {
            query = returning.$update();
        } else if (query instanceof QOM.InsertReturning<?> returning) {
            query = returning.$insert();
        }
        if (query instanceof QOM.Update<?> update) {
            return new WriteShape(names(update.$set()), false);
        }
        if (query instanceof QOM.Insert<?> insert) {
            boolean upsert = insert.$onDuplicateKeyUpdate() || insert.$onDuplicateKeyIgnore() || !insert.$onConflict().isEmpty();
            return upsert ? new WriteShape(names(insert.$updateSet()), true) : NONE;
        }
        if (query instanceof Merge<?>) {
            return new WriteShape(Set.of(), true);
        }
        return NONE;
    }

    /** The shape of a statement jOOQ cannot parse (REPLACE, H2's MERGE ... KEY): told by its keywords. */
    static WriteShape ofUnparsed(List<Token> statement) {
        if (statement.isEmpty()) {
            return NONE;
        }
        boolean upsert = statement.get(0).isWord("REPLACE") || statement.get(0).isWord("MERGE");
        for (int i = 1; i < statement.size() && !upsert; i++) {
            upsert = statement.get(i - 1).isWord("ON")
                    && (statement.get(i).isWord("DUPLICATE") || statement.get(i).isWord("CONFLICT"));
        }
        return upsert ? new WriteShape(Set.of(), true) : NONE;
    }

    private static Set<String> names(Map<? extends FieldOrRow, ?> assignments) {
        Set<String> names = new TreeSet<>();
        for (FieldOrRow target : assignments.keySet()) {
            if (target instanceof Row row) {
                for (Field<?> field : row.fields()) {
                    names.add(lower(field.getQualifiedName().last()));
                }
            } else if (target instanceof Field<?> field) {
                names.add(lower(field.getQualifiedName().last()));
            }
        }
        return names;
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
