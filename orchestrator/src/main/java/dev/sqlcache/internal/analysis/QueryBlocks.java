package dev.sqlcache.internal.analysis;

import org.jooq.CommonTableExpression;
import org.jooq.QueryPart;
import org.jooq.SelectQuery;
import org.jooq.VisitContext;
import org.jooq.VisitListener;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Collects, while jOOQ renders a statement, every query block (a SELECT with its own FROM and WHERE: the main query,
 * each branch of a UNION, each subquery, derived table and CTE body) and the names of the CTEs. jOOQ's model has no
 * accessor for UNION branches, but rendering visits all of them. One instance serves one render, on one thread.
 */
final class QueryBlocks implements VisitListener {

    private final Set<SelectQuery<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<SelectQuery<?>> blocks = new ArrayList<>();
    private final Set<String> cteNames = new TreeSet<>();

    @Override
    public void visitStart(VisitContext ctx) {
        QueryPart part = ctx.queryPart();
        if (part instanceof SelectQuery<?> select && seen.add(select)) {
            blocks.add(select);
        } else if (part instanceof CommonTableExpression<?> cte) {
            cteNames.add(cte.getName().toLowerCase(Locale.ROOT));
        }
    }

    /** The query blocks in the order rendering met them, each once. */
    List<SelectQuery<?>> blocks() {
        return blocks;
    }

    /** The lower-case names of every CTE the statement defines, at any level. */
    Set<String> cteNames() {
        return cteNames;
    }
}
