package dev.sqlcache.internal.analysis;

import dev.sqlcache.internal.analysis.SqlLexer.Token;

import java.util.List;

/**
 * Finds row-locking clauses. A locking read must reach the database to take its locks, so it is never served
 * from the cache. Scanned on tokens so that it works whether or not jOOQ keeps the clause.
 */
final class LockingClauses {

    private LockingClauses() {
    }

    /** FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE, FOR KEY SHARE, LOCK IN SHARE MODE. */
    static boolean isLockingRead(List<Token> tokens) {
        for (int i = 0; i + 1 < tokens.size(); i++) {
            Token t = tokens.get(i);
            Token next = tokens.get(i + 1);
            if (t.isWord("FOR") && (next.isWord("UPDATE") || next.isWord("SHARE") || next.isWord("NO") || next.isWord("KEY"))) {
                return true;
            }
            if (t.isWord("LOCK") && next.isWord("IN")) {
                return true;
            }
        }
        return false;
    }
}
