package dev.sqlcache.internal.feed;

import dev.sqlcache.internal.engine.ExactTextKeys;
import dev.sqlcache.internal.engine.TableFacts;

import java.math.BigInteger;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The primary key of a row the stream showed updated or deleted, as the engine's row keys name it, or null when that
 * cannot be told for sure (then the feed invalidates the table as a whole). A row's token is the hash of its key's
 * values as a read or a write through the driver binds them; so only columns whose stream text maps to exactly
 * that value are trusted: {@code smallint}, {@code integer} and {@code bigint} (decimal text), {@code text} and
 * {@code varchar} that {@link ExactTextKeys} trusts (the quoted text), {@code uuid} (its canonical
 * text). Their JDBC types are those the PostgreSQL driver's metadata reports, so that the engine treats them as a
 * reader's key plan does.
 */
final class StreamedRowKey {

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,40}");

    /** The row's key: its columns typed as the engine's schema facts type them, and its values. */
    record Values(List<TableFacts.KeyColumn> key, List<Object> values) {
        @Override
        public String toString() {
            return "key" + key;
        }
    }

    private StreamedRowKey() {
    }

    /**
     * The key of a changed row whose key did not change.
     *
     * @return null when a column is missing, of a type not trusted, or the key changed (old and new differ)
     */
    static Values of(PrimaryKeys.Key primaryKey, DecodedLine.RowChange row) {
        if (primaryKey == null || !primaryKey.identityIsKey()) {
            return null;
        }
        Values old = row.oldKey() == null ? null : values(primaryKey, row.oldKey());
        Values changed = row.newTuple() == null ? null : values(primaryKey, row.newTuple());
        if (row.oldKey() != null && old == null || row.newTuple() != null && changed == null) {
            return null;
        }
        if (old != null && changed != null && !old.values().equals(changed.values())) {
            // The key changed: rows may have new keys, which only the table's tokens cover.
            return null;
        }
        return old != null ? old : changed;
    }

    private static Values values(PrimaryKeys.Key primaryKey, List<DecodedLine.Column> printed) {
        List<TableFacts.KeyColumn> key = new ArrayList<>(primaryKey.columns().size());
        List<Object> values = new ArrayList<>(primaryKey.columns().size());
        for (PrimaryKeys.Column column : primaryKey.columns()) {
            DecodedLine.Column found = null;
            for (DecodedLine.Column candidate : printed) {
                if (candidate.name().equals(column.name())) {
                    if (found != null) {
                        return null;
                    }
                    found = candidate;
                }
            }
            Object value = found == null ? null : value(column, found, primaryKey.utf8());
            if (value == null) {
                return null;
            }
            key.add(keyColumn(column));
            values.add(value);
        }
        return new Values(key, values);
    }

    /** The value as a driver binds it, or null when the column's type or text is not trusted. */
    private static Object value(PrimaryKeys.Column column, DecodedLine.Column printed, boolean utf8) {
        String text = printed.value();
        switch (column.typeName()) {
            case "int2", "int4", "int8" -> {
                String type = switch (column.typeName()) {
                    case "int2" -> "smallint";
                    case "int4" -> "integer";
                    default -> "bigint";
                };
                return !printed.quoted() && printed.type().equals(type) && INTEGER.matcher(text).matches()
                        ? new BigInteger(text) : null;
            }
            case "text", "varchar" -> {
                String type = column.typeName().equals("text") ? "text" : "character varying";
                return printed.quoted() && printed.type().equals(type)
                        && ExactTextKeys.postgres(column.typeName(), column.deterministic(), utf8) ? text : null;
            }
            case "uuid" -> {
                if (!printed.quoted() || !printed.type().equals("uuid")) {
                    return null;
                }
                try {
                    UUID uuid = UUID.fromString(text);
                    return uuid.toString().equals(text.toLowerCase(Locale.ROOT)) ? uuid : null;
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
            default -> {
                return null;
            }
        }
    }

    /** The column as the PostgreSQL driver's metadata describes it to the engine's schema facts. */
    private static TableFacts.KeyColumn keyColumn(PrimaryKeys.Column column) {
        return switch (column.typeName()) {
            case "int2" -> new TableFacts.KeyColumn(column.name(), Types.SMALLINT, "int2");
            case "int4" -> new TableFacts.KeyColumn(column.name(), Types.INTEGER, "int4");
            case "int8" -> new TableFacts.KeyColumn(column.name(), Types.BIGINT, "int8");
            case "uuid" -> new TableFacts.KeyColumn(column.name(), Types.OTHER, "uuid");
            // Reached only for text that ExactTextKeys trusts, as the driver's schema facts then mark it.
            default -> new TableFacts.KeyColumn(column.name(), Types.VARCHAR, column.typeName(), true);
        };
    }
}
