package dev.sqlcache.internal.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One row of the key-pin tables: a SQL text and the pins, assigned columns and upsert flag its analysis must report. */
final class ExpectPins {

    private final String sql;
    private final Map<String, List<ColumnPin>> pins = new TreeMap<>();
    private Set<String> assigned = Set.of();
    private boolean upsert;

    private ExpectPins(String sql) {
        this.sql = sql;
    }

    /** A statement expected to pin what the following {@link #pin} calls say. */
    static ExpectPins pins(String sql) {
        return new ExpectPins(sql);
    }

    /** A statement expected to pin nothing. */
    static ExpectPins none(String sql) {
        return new ExpectPins(sql);
    }

    static KeySource lit(Object value) {
        return new KeySource.Literal(value);
    }

    static KeySource bind(int index) {
        return new KeySource.Bind(index);
    }

    static KeySource array(int index) {
        return new KeySource.ArrayBind(index);
    }

    ExpectPins pin(String table, String column, Object... values) {
        List<KeySource> sources = new ArrayList<>();
        for (Object value : values) {
            sources.add(value instanceof KeySource source ? source : lit(value instanceof Integer i ? (Object) i.longValue() : value));
        }
        List<ColumnPin> columns = new ArrayList<>(pins.getOrDefault(table, List.of()));
        columns.add(new ColumnPin(column, sources));
        columns.sort((a, b) -> a.column().compareTo(b.column()));
        pins.put(table, columns);
        return this;
    }

    ExpectPins assigned(String... columns) {
        assigned = Set.copyOf(Arrays.asList(columns));
        return this;
    }

    ExpectPins upsert() {
        upsert = true;
        return this;
    }

    void check(QueryAnalyzer analyzer) {
        QueryAnalysis a = analyzer.analyze(sql);
        assertAll(sql,
                () -> assertEquals(pins, new TreeMap<>(a.keyPins()), "keyPins"),
                () -> assertEquals(assigned, a.assignedColumns(), "assignedColumns"),
                () -> assertEquals(upsert, a.upsert(), "upsert"));
    }

    @Override
    public String toString() {
        return sql.length() > 120 ? sql.substring(0, 117) + "..." : sql;
    }
}
