package dev.sqlcache.internal.feed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The consumer's heartbeats: a transactional message written to the WAL ({@code pg_logical_emit_message}), with
 * the moment it was sent. Logical decoding delivers transactions in commit order, so once the consumer has applied
 * a heartbeat it has applied every transaction that committed before the heartbeat was sent: that moment, not the
 * consumer's being alive, is what bounds how old an outside write's invalidation can be.
 */
final class Heartbeats {

    /** Heartbeats sent but not seen yet: more means the feed is far behind; the oldest are forgotten. */
    private static final int MAX_PENDING = 1_000;
    private static final int QUERY_TIMEOUT_SECONDS = 5;

    private final String consumer;
    private final Map<String, Long> sent = new LinkedHashMap<>();
    private long sequence;

    Heartbeats(String consumer) {
        this.consumer = consumer;
    }

    /**
     * Sends a heartbeat. The time is taken before the statement runs, so every transaction that committed before
     * that time precedes the heartbeat's own commit in the stream.
     */
    void send(Connection connection, long nowNanos) throws SQLException {
        String content = consumer + ":" + (++sequence);
        sent.put(content, nowNanos);
        if (sent.size() > MAX_PENDING) {
            Iterator<String> oldest = sent.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        try (PreparedStatement emit = connection.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
            emit.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            emit.setString(1, CommittedChanges.HEARTBEAT_PREFIX);
            emit.setString(2, content);
            emit.executeQuery().close();
        }
    }

    /**
     * A heartbeat was applied: returns when it was sent (this consumer's, {@link System#nanoTime()} scale), or -1
     * for one this consumer did not send (another JVM's, before a takeover). Earlier heartbeats are forgotten: they
     * are covered by this one.
     */
    long applied(String content) {
        if (!sent.containsKey(content)) {
            return -1;
        }
        Iterator<Map.Entry<String, Long>> entries = sent.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<String, Long> entry = entries.next();
            entries.remove();
            if (entry.getKey().equals(content)) {
                return entry.getValue();
            }
        }
        return -1;
    }
}
