package dev.sqlcache.internal.analysis;

/**
 * Where one value of a {@link ColumnPin} comes from: the SQL text itself, or a parameter bound at execution.
 */
public sealed interface KeySource {

    /**
     * A literal of the SQL text, as jOOQ reads it: {@code Long} (or {@code BigInteger}) for integers,
     * {@code BigDecimal}, {@code String}, {@code Boolean}, or a {@code java.sql} date/time value for typed literals.
     * Never null: a comparison with NULL matches no row and pins nothing. Which types match a key column exactly
     * (a string literal compared with a number column is converted by the database) is for the engine to decide.
     */
    record Literal(Object value) implements KeySource {
        public Literal {
            if (value == null) {
                throw new IllegalArgumentException("a literal key value is never null");
            }
        }
    }

    /** The value of one bound parameter, by its 1-based JDBC index. */
    record Bind(int index) implements KeySource {
        public Bind {
            if (index < 1) {
                throw new IllegalArgumentException("JDBC parameter indexes start at 1: " + index);
            }
        }
    }

    /**
     * Every element of one array parameter, by its 1-based JDBC index: the operand of {@code = ANY(?)}. The
     * statement matches no row for an empty array, and NULL elements match nothing.
     */
    record ArrayBind(int index) implements KeySource {
        public ArrayBind {
            if (index < 1) {
                throw new IllegalArgumentException("JDBC parameter indexes start at 1: " + index);
            }
        }
    }
}
