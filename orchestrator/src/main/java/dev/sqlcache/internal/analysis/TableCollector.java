package dev.sqlcache.internal.analysis;

import org.jooq.Clause;
import org.jooq.CommonTableExpression;
import org.jooq.Merge;
import org.jooq.Name;
import org.jooq.Query;
import org.jooq.QueryPart;
import org.jooq.Table;
import org.jooq.VisitContext;
import org.jooq.VisitListener;
import org.jooq.impl.QOM;

import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Collects, while jOOQ renders a parsed statement, every table it reads or writes and whether it calls a
 * function that is not deterministic.
 *
 * <p>jOOQ's free edition has no complete tree-walking API, but rendering visits every query part and reports the
 * clause it sits in. A table in a {@link Clause#TABLE_REFERENCE} position is a real table or a CTE; the same name
 * seen as a column qualifier ({@link Clause#FIELD_REFERENCE}) may be an alias and is ignored. The clause stack
 * tells reads from writes. One instance serves one render, on one thread.
 */
final class TableCollector implements VisitListener {

    private final FunctionPolicy functions;
    private final boolean ddl;

    private final Set<String> read = new TreeSet<>();
    private final Set<String> written = new TreeSet<>();
    /** How often each table is referenced, by unqualified name: public.t and t may be one table. */
    private final Map<String, Integer> occurrences = new HashMap<>();
    /** CTE names by the query whose WITH clause defines them: a name is a CTE only within that query. */
    private final Map<QueryPart, Set<String>> ctesByOwner = new IdentityHashMap<>();
    private boolean nonDeterministic;
    private boolean unknownFunction;
    private StatementKind nestedWrite;

    /**
     * @param functions the deterministic-function policy
     * @param ddl       whether the statement is DDL: then the tables it names outside of queries are written
     */
    TableCollector(FunctionPolicy functions, boolean ddl) {
        this.functions = functions;
        this.ddl = ddl;
    }

    Set<String> tablesRead() {
        return read;
    }

    Set<String> tablesWritten() {
        return written;
    }

    /** How many times the statement references tables of that unqualified, lower-case name. */
    int occurrences(String baseName) {
        return occurrences.getOrDefault(baseName, 0);
    }

    boolean nonDeterministic() {
        return nonDeterministic;
    }

    /** The kind of the first data-changing statement met anywhere (a writable CTE, SELECT INTO), or null. */
    StatementKind nestedWrite() {
        return nestedWrite;
    }

    @Override
    public void visitStart(VisitContext ctx) {
        QueryPart part = ctx.queryPart();
        noteWrite(part);
        if (part instanceof CommonTableExpression<?> cte) {
            registerCte(ctx, cte);
        } else if (part instanceof Table<?> table && ctx.clause() == Clause.TABLE_REFERENCE) {
            tableReference(ctx, table);
        } else {
            if (!nonDeterministic && functions.isNonDeterministic(part)) {
                nonDeterministic = true;
            }
            if (!unknownFunction && functions.isUnknown(part)) {
                unknownFunction = true;
            }
        }
    }

    /** Whether the statement calls a function nothing is known about: it may write, or change the session. */
    boolean unknownFunction() {
        return unknownFunction;
    }

    private void noteWrite(QueryPart part) {
        if (nestedWrite != null) {
            return;
        }
        if (part instanceof QOM.Insert || part instanceof QOM.InsertReturning) {
            nestedWrite = StatementKind.INSERT;
        } else if (part instanceof QOM.Update || part instanceof QOM.UpdateReturning) {
            nestedWrite = StatementKind.UPDATE;
        } else if (part instanceof QOM.Delete || part instanceof QOM.DeleteReturning) {
            nestedWrite = StatementKind.DELETE;
        } else if (part instanceof Merge) {
            nestedWrite = StatementKind.MERGE;
        }
    }

    private void registerCte(VisitContext ctx, CommonTableExpression<?> cte) {
        QueryPart[] parts = ctx.queryParts();
        for (int i = parts.length - 2; i >= 0; i--) {
            if (parts[i] instanceof Query) {
                ctesByOwner.computeIfAbsent(parts[i], k -> new TreeSet<>()).add(lower(cte.getName()));
                return;
            }
        }
    }

    private void tableReference(VisitContext ctx, Table<?> table) {
        if (table instanceof QOM.Excluded || table instanceof QOM.TableAlias || parentIs(ctx, QOM.Excluded.class)) {
            return; // ON CONFLICT's EXCLUDED pseudo table; aliases are visited through the table they wrap
        }
        Name name = table.getQualifiedName();
        if (name.empty()) {
            return;
        }
        if (!name.qualified() && isCteInScope(ctx, lower(name.last()))) {
            return;
        }
        String formatted = format(name);
        occurrences.merge(KeyPins.baseName(formatted), 1, Integer::sum);
        Clause writeClause = writeClause(ctx);
        if (writeClause != null) {
            written.add(formatted);
            if (nestedWrite == null) {
                nestedWrite = kindOf(writeClause);
            }
        }
        read.add(formatted);
    }

    /**
     * Whether the CTE of that name is visible here: defined by an enclosing query, earlier in its WITH list or
     * for its main body. Inside the CTE's own body the name means the real table (unless the CTE is recursive,
     * and then listing a name too many is harmless).
     */
    private boolean isCteInScope(VisitContext ctx, String lowerName) {
        QueryPart[] parts = ctx.queryParts();
        for (int i = parts.length - 2; i >= 0; i--) {
            QueryPart p = parts[i];
            if (p instanceof CommonTableExpression<?> cte && lower(cte.getName()).equals(lowerName)) {
                return false;
            }
            Set<String> defined = ctesByOwner.get(p);
            if (defined != null && defined.contains(lowerName)) {
                return true;
            }
        }
        return false;
    }

    /** The clause that makes this table a write target, or null when it is only read. */
    private Clause writeClause(VisitContext ctx) {
        Clause[] clauses = ctx.clauses();
        for (int i = clauses.length - 1; i >= 0; i--) {
            Clause c = clauses[i];
            switch (c) {
                case SELECT_INTO:
                case INSERT_INSERT_INTO:
                case UPDATE_UPDATE:
                case MERGE_MERGE_INTO:
                case TRUNCATE_TRUNCATE:
                    return c;
                case DELETE_DELETE:
                    return isDeleteTarget(ctx) ? c : null;
                case SELECT:
                case INSERT:
                case UPDATE:
                case DELETE:
                case MERGE:
                    return null; // a table read by a query, or elsewhere in a DML statement (USING, FROM)
                default:
                    if (isDdlClause(c)) {
                        return c;
                    }
            }
        }
        return ddl ? Clause.CUSTOM : null;
    }

    /** DELETE's target hangs off the DELETE itself; the tables of USING (or MySQL's FROM) sit in a list. */
    private static boolean isDeleteTarget(VisitContext ctx) {
        QueryPart[] parts = ctx.queryParts();
        for (int i = parts.length - 2; i >= 0; i--) {
            if (parts[i] instanceof QOM.Delete) {
                return true;
            }
            if (parts[i] instanceof Collection) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDdlClause(Clause c) {
        String n = c.name();
        return n.startsWith("CREATE_") || n.startsWith("ALTER_") || n.startsWith("DROP_") || n.startsWith("GRANT")
                || n.startsWith("REVOKE") || n.equals("TRUNCATE");
    }

    private static StatementKind kindOf(Clause c) {
        return switch (c) {
            case INSERT_INSERT_INTO -> StatementKind.INSERT;
            case UPDATE_UPDATE -> StatementKind.UPDATE;
            case DELETE_DELETE -> StatementKind.DELETE;
            case MERGE_MERGE_INTO -> StatementKind.MERGE;
            case TRUNCATE_TRUNCATE, TRUNCATE -> StatementKind.TRUNCATE;
            default -> StatementKind.DDL;
        };
    }

    private static boolean parentIs(VisitContext ctx, Class<?> type) {
        QueryPart[] parts = ctx.queryParts();
        return parts.length >= 2 && type.isInstance(parts[parts.length - 2]);
    }

    /** Lower case, unquoted, with the qualification as written: {@code "Public"."Order Items"} is {@code public.order items}. */
    static String format(Name name) {
        StringBuilder sb = new StringBuilder();
        for (Name part : name.parts()) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(lower(part.last()));
        }
        return sb.toString();
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
