package dev.sqlcache.internal.feed;

import java.util.List;

/** One line of a logical decoding plugin's output, reduced to what invalidation needs. */
sealed interface DecodedLine {

    /** A transaction's changes start. */
    record Begin() implements DecodedLine {
    }

    /** The transaction whose changes came since {@link Begin} committed. */
    record Commit() implements DecodedLine {
    }

    /**
     * Rows of these tables (as the catalog names them: schema and name, unquoted) changed in ways that name no row:
     * a TRUNCATE, or a row change whose columns could not be read.
     */
    record Change(List<String> tables) implements DecodedLine {
    }

    /** Rows were inserted into a table (the inserted values are not read: an insert names no cached row). */
    record Insert(String table) implements DecodedLine {
    }

    /**
     * One row of a table was updated or deleted.
     *
     * @param oldKey   the old row's replica identity columns, when the stream has them (a key that changed, a
     *                 delete, {@code REPLICA IDENTITY FULL}); null when it does not
     * @param newTuple the new row's columns (an update), or null (a delete)
     */
    record RowChange(String table, List<Column> oldKey, List<Column> newTuple) implements DecodedLine {
    }

    /**
     * One column of a row as the plugin prints it: {@code name[type]:value}.
     *
     * @param type   the type as {@code format_type_be} names it ({@code integer}, {@code character varying})
     * @param value  the value's text, unquoted when {@code quoted}; unquoted values are numbers, booleans,
     *               {@code null} and {@code unchanged-toast-datum}
     * @param quoted whether the plugin printed it as a quoted literal
     */
    record Column(String name, String type, String value, boolean quoted) {
        /** Without the value: it is the application's data, and never logged. */
        @Override
        public String toString() {
            return name + "[" + type + "]";
        }
    }

    /** A message written to the WAL with {@code pg_logical_emit_message}. */
    record Message(boolean transactional, String prefix, String content) implements DecodedLine {
    }

    /**
     * A line this reader does not understand. It may stand for a change of a table it cannot name, so the feed
     * treats it as a change of every table.
     */
    record Unknown(String line) implements DecodedLine {
    }
}
