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

    /** Rows of these tables (as the catalog names them: schema and name, unquoted) changed or were truncated. */
    record Change(List<String> tables) implements DecodedLine {
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
