package dev.sqlcache.internal.feed;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the transactions decoded since the last confirmed position changed: their tables and rows
 * ({@link ChangedTables}), whether one of them calls
 * for the whole database, and the heartbeats they carried. Only committed transactions count (the plugin sends a
 * transaction's changes at its commit, and an aborted one not at all); lines between BEGIN and COMMIT are held
 * until the COMMIT arrives. Several transactions are gathered into one bump, so a burst of commits costs one round
 * trip to the store, and a table written by many of them is invalidated once.
 */
final class CommittedChanges {

    /** The prefix of the feed's own heartbeat messages. */
    static final String HEARTBEAT_PREFIX = "sqlcache.heartbeat";
    /**
     * The prefix of a message that announces a schema change (an event trigger can emit it on DDL, which the stream
     * does not carry): the whole database is invalidated.
     */
    static final String SCHEMA_CHANGE_PREFIX = "sqlcache.ddl";

    private final ChangedTables open = new ChangedTables();
    private final List<String> openHeartbeats = new ArrayList<>();
    private boolean openEverything;
    /** Between a BEGIN and its COMMIT. */
    private boolean inTransaction;
    private final ChangedTables committed = new ChangedTables();
    private final List<String> committedHeartbeats = new ArrayList<>();
    private boolean committedEverything;
    private int transactions;

    /**
     * Takes one decoded line.
     *
     * @return whether what came so far is complete: a transaction committed, or a line outside any transaction
     *         arrived (the stream's position after it may be confirmed once this is applied)
     */
    boolean accept(DecodedLine line) {
        if (line instanceof DecodedLine.Begin) {
            // A BEGIN while one is open: the open one was never committed in what reached us (a stream restarts at
            // a transaction's start after a reconnection), so its lines are dropped; the replay brings them again.
            inTransaction = true;
            open.clear();
            openHeartbeats.clear();
            openEverything = false;
        } else if (line instanceof DecodedLine.Change change) {
            // Outside a transaction a change stands committed (the plugin always wraps them; never guess less).
            change.tables().forEach((inTransaction ? open : committed)::whole);
            return !inTransaction;
        } else if (line instanceof DecodedLine.Insert insert) {
            (inTransaction ? open : committed).inserted(insert.table());
            return !inTransaction;
        } else if (line instanceof DecodedLine.RowChange row) {
            (inTransaction ? open : committed).row(row);
            return !inTransaction;
        } else if (line instanceof DecodedLine.Message message) {
            // test_decoding sends a transactional message at its transaction's commit, in commit order, but without
            // BEGIN and COMMIT when the transaction changed no table: outside BEGIN..COMMIT it stands committed.
            if (message.prefix().equals(HEARTBEAT_PREFIX)) {
                (inTransaction ? openHeartbeats : committedHeartbeats).add(message.content());
            } else if (message.prefix().equals(SCHEMA_CHANGE_PREFIX)) {
                if (inTransaction) {
                    openEverything = true;
                } else {
                    committedEverything = true;
                }
            }
            return !inTransaction;
        } else if (line instanceof DecodedLine.Unknown) {
            // A line that may stand for a change of a table this reader cannot name.
            if (inTransaction) {
                openEverything = true;
            } else {
                committedEverything = true;
                return true;
            }
        } else if (line instanceof DecodedLine.Commit) {
            committed.addAll(open);
            committedHeartbeats.addAll(openHeartbeats);
            committedEverything |= openEverything;
            open.clear();
            openHeartbeats.clear();
            openEverything = false;
            inTransaction = false;
            transactions++;
            return true;
        }
        return false;
    }

    /** Tables changed by the committed transactions gathered so far. */
    Set<String> tables() {
        return Set.copyOf(committed.names());
    }

    /** What the committed transactions gathered so far did to each table. */
    ChangedTables changed() {
        return committed;
    }

    /** Whether a committed transaction calls for invalidating the whole database. */
    boolean everything() {
        return committedEverything;
    }

    /** The heartbeats committed with them, in order. */
    List<String> heartbeats() {
        return List.copyOf(committedHeartbeats);
    }

    /** How many committed transactions are gathered. */
    int transactions() {
        return transactions;
    }

    boolean isEmpty() {
        return transactions == 0 && committed.isEmpty() && committedHeartbeats.isEmpty() && !committedEverything;
    }

    /** Forgets the committed transactions, once their invalidation was acknowledged. */
    void applied() {
        committed.clear();
        committedHeartbeats.clear();
        committedEverything = false;
        transactions = 0;
    }
}
