package dev.sqlcache.internal.analysis;

import java.util.List;
import java.util.Objects;

/**
 * One column of a table that a statement pins to known values: every row of that table the statement reads or
 * writes has, in this column, one of {@code values} (for an {@link KeySource.ArrayBind}, one of the array's
 * elements). Several pins of one table hold together, so the rows lie within the cross product of their values.
 *
 * @param column the column's unqualified name, lower case
 * @param values one value for {@code =}, several for {@code IN (...)} and multi-row {@code VALUES}; never empty
 */
public record ColumnPin(String column, List<KeySource> values) {

    public ColumnPin {
        Objects.requireNonNull(column, "column");
        values = List.copyOf(values);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a pin needs at least one value");
        }
    }
}
