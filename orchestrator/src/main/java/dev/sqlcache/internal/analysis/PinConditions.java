package dev.sqlcache.internal.analysis;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Param;
import org.jooq.QueryPart;
import org.jooq.Row;
import org.jooq.TableField;
import org.jooq.impl.QOM;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads the top-level AND conditions of a WHERE clause that compare a column with known values by equality:
 * {@code col = v}, {@code v = col}, {@code col IN (v, ...)}, {@code col = ANY(?)}, {@code col = ANY(ARRAY[v, ...])}
 * and {@code (a, b) = (v, w)}, where each v is a literal or a bind marker. Anything else (OR, NOT, functions,
 * casts, {@code IS NOT DISTINCT FROM}, {@code NOT IN}, {@code <> ALL}, subqueries) pins nothing. Which table a
 * column belongs to is not decided here.
 */
final class PinConditions {

    /** Longer IN lists are not worth a key each: the statement stays table-level. */
    static final int MAX_VALUES = 1_000;

    /** A column compared with values; the column is as parsed, maybe qualified. */
    record Candidate(TableField<?, ?> column, List<KeySource> values) {
    }

    private final NumberedBinds binds;

    /** @param binds the numbering of the parsed statement's bind values, or null when they cannot be identified */
    PinConditions(NumberedBinds binds) {
        this.binds = binds;
    }

    List<Candidate> read(Condition where) {
        List<Candidate> out = new ArrayList<>();
        // A long AND chain is a deep tree: walked with a stack, not by recursion.
        Deque<Condition> pending = new ArrayDeque<>();
        if (where != null) {
            pending.push(where);
        }
        while (!pending.isEmpty()) {
            Condition condition = pending.pop();
            if (condition instanceof QOM.And and) {
                pending.push(and.$arg2());
                pending.push(and.$arg1());
            } else {
                conjunct(condition, out);
            }
        }
        return out;
    }

    private void conjunct(Condition condition, List<Candidate> out) {
        if (condition instanceof QOM.Eq<?> eq) {
            equality(eq.$arg1(), eq.$arg2(), out);
        } else if (condition instanceof QOM.InList<?> in) {
            inList(in.$field(), in.$list(), out);
        } else if (condition instanceof QOM.EqQuantified<?> quantified) {
            anyArray(quantified.$arg1(), quantified.$arg2(), out);
        } else if (condition instanceof QOM.RowEq<?> rowEq) {
            rowEquality(rowEq.$arg1(), rowEq.$arg2(), out);
        }
    }

    private void equality(Field<?> left, Field<?> right, List<Candidate> out) {
        KeySource value;
        if (left instanceof TableField<?, ?> column && (value = source(right)) != null) {
            out.add(new Candidate(column, List.of(value)));
        } else if (right instanceof TableField<?, ?> column && (value = source(left)) != null) {
            out.add(new Candidate(column, List.of(value)));
        }
    }

    private void inList(Field<?> field, List<? extends Field<?>> items, List<Candidate> out) {
        if (field instanceof TableField<?, ?> column) {
            List<KeySource> values = sources(items);
            if (values != null) {
                out.add(new Candidate(column, values));
            }
        }
    }

    /**
     * jOOQ reads {@code ANY(x)} as {@code ANY(ARRAY[x])}: the one element is the bind marker itself for
     * {@code ANY(?)}, or the array constructor for {@code ANY(ARRAY[...])}. The marker's own tokens confirm
     * which (see {@link NumberedBinds#isWholeArray}).
     */
    private void anyArray(Field<?> field, QueryPart quantified, List<Candidate> out) {
        if (!(field instanceof TableField<?, ?> column) || !(quantified instanceof QOM.QuantifiedArray<?> array)
                || array.$quantifier() != QOM.Quantifier.ANY || !(array.$array() instanceof QOM.Array<?> wrapper)
                || wrapper.$elements().size() != 1) {
            return;
        }
        Field<?> operand = wrapper.$elements().get(0);
        if (operand instanceof Param<?> param && !param.isInline()) {
            int index = binds == null ? 0 : binds.index(param);
            if (index > 0 && binds.isWholeArray(index)) {
                out.add(new Candidate(column, List.of(new KeySource.ArrayBind(index))));
            }
        } else if (operand instanceof QOM.Array<?> constructor) {
            List<KeySource> values = sources(constructor.$elements());
            if (values != null) {
                out.add(new Candidate(column, values));
            }
        }
    }

    private void rowEquality(Row left, Row right, List<Candidate> out) {
        if (left.size() != right.size()) {
            return;
        }
        for (int i = 0; i < left.size(); i++) {
            equality(left.field(i), right.field(i), out);
        }
    }

    private List<KeySource> sources(List<? extends Field<?>> items) {
        if (items.isEmpty() || items.size() > MAX_VALUES) {
            return null;
        }
        List<KeySource> values = new ArrayList<>(items.size());
        for (Field<?> item : items) {
            KeySource value = source(item);
            if (value == null) {
                return null;
            }
            values.add(value);
        }
        return values;
    }

    /** A literal or a numbered bind marker standing for one value; null for anything else. */
    KeySource source(Field<?> field) {
        if (!(field instanceof Param<?> param)) {
            return null;
        }
        if (param.isInline()) {
            Object value = literal(param.getValue());
            return value == null ? null : new KeySource.Literal(value);
        }
        int index = binds == null ? 0 : binds.index(param);
        return index == 0 || binds.isWholeArray(index) ? null : new KeySource.Bind(index);
    }

    /** Integers as Long (BigInteger beyond), the other value types jOOQ's parser makes as they are. */
    private static Object literal(Object value) {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big) {
            return big.bitLength() < Long.SIZE ? (Object) big.longValue() : big;
        }
        if (value instanceof Long || value instanceof java.math.BigDecimal || value instanceof String
                || value instanceof Boolean || value instanceof java.util.Date || value instanceof java.time.temporal.Temporal) {
            return value;
        }
        return null; // null, byte arrays (compared by identity), and whatever else jOOQ may make
    }
}
