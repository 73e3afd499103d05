package dev.sqlcache.internal.analysis;

import dev.sqlcache.stats.BypassReason;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One row of the table-driven analysis tests: a SQL text and what its analysis must say. */
final class Expect {

    private final String sql;
    private StatementKind kind = StatementKind.SELECT;
    private Set<String> read = Set.of();
    private Set<String> written = Set.of();
    private boolean writesUnknown;
    private BypassReason bypass;
    private TransactionControl transaction;
    private boolean temporary;
    /** Whether a normalized text is expected; parseable statements have one, the others none. */
    private boolean normalized = true;

    private Expect(String sql) {
        this.sql = sql;
    }

    /** A SELECT that may be cached. */
    static Expect cacheable(String sql, String... tables) {
        Expect e = new Expect(sql);
        e.read = Set.of(tables);
        return e;
    }

    /** A SELECT that is parsed but not cached. */
    static Expect bypassed(String sql, BypassReason reason, String... tables) {
        Expect e = cacheable(sql, tables);
        e.bypass = reason;
        return e;
    }

    /** A data-changing statement; the written tables may also be reported as read. */
    static Expect write(String sql, StatementKind kind, String... tables) {
        Expect e = new Expect(sql);
        e.kind = kind;
        e.written = Set.of(tables);
        e.bypass = BypassReason.NOT_A_READ;
        return e;
    }

    /** A statement recognised from its keywords, never parsed. */
    static Expect keywords(String sql, StatementKind kind) {
        Expect e = new Expect(sql);
        e.kind = kind;
        e.bypass = kind == StatementKind.CALL ? BypassReason.CALLABLE : BypassReason.NOT_A_READ;
        e.writesUnknown = kind == StatementKind.CALL;
        e.normalized = false;
        return e;
    }

    static Expect transaction(String sql, TransactionControl control) {
        Expect e = keywords(sql, StatementKind.TRANSACTION_CONTROL);
        e.transaction = control;
        return e;
    }

    static Expect unparseable(String sql, boolean mayWrite) {
        Expect e = new Expect(sql);
        e.kind = StatementKind.UNKNOWN;
        e.bypass = BypassReason.UNPARSEABLE;
        e.writesUnknown = mayWrite;
        e.normalized = false;
        return e;
    }

    /** Several statements in one text. */
    static Expect multiple(String sql, StatementKind kind, boolean writesUnknown) {
        Expect e = new Expect(sql);
        e.kind = kind;
        e.bypass = BypassReason.MULTIPLE_STATEMENTS;
        e.writesUnknown = writesUnknown;
        e.normalized = false;
        return e;
    }

    Expect reads(String... tables) {
        read = Set.of(tables);
        return this;
    }

    Expect writes(String... tables) {
        written = Set.of(tables);
        return this;
    }

    Expect unknownWrites() {
        writesUnknown = true;
        return this;
    }

    Expect temporary() {
        temporary = true;
        return this;
    }

    Expect unparsed() {
        normalized = false;
        return this;
    }

    void check(QueryAnalyzer analyzer) {
        QueryAnalysis a = analyzer.analyze(sql);
        assertAll(sql,
                () -> assertEquals(kind, a.kind(), "kind"),
                () -> checkRead(a),
                () -> assertEquals(written, a.tablesWritten(), "tablesWritten"),
                () -> assertEquals(writesUnknown, a.writesUnknownTables(), "writesUnknownTables"),
                () -> assertEquals(bypass, a.bypassReason(), "bypassReason"),
                () -> assertEquals(transaction, a.transactionControl(), "transactionControl"),
                () -> assertEquals(temporary, a.createsTemporaryTable(), "createsTemporaryTable"),
                () -> {
                    if (normalized) {
                        assertNotNull(a.normalizedSql(), "normalizedSql");
                    } else {
                        assertNull(a.normalizedSql(), "normalizedSql");
                    }
                });
    }

    private void checkRead(QueryAnalysis a) {
        if (kind == StatementKind.SELECT || written.isEmpty()) {
            assertEquals(read, a.tablesRead(), "tablesRead");
            return;
        }
        // A write may report its targets as read too; it must report every table it reads.
        assertTrue(a.tablesRead().containsAll(read), () -> "tablesRead " + a.tablesRead() + " lacks some of " + read);
        Set<String> allowed = new HashSet<>(read);
        allowed.addAll(written);
        assertTrue(allowed.containsAll(a.tablesRead()), () -> "tablesRead " + a.tablesRead() + " has more than " + allowed);
    }

    @Override
    public String toString() {
        return sql.length() > 120 ? sql.substring(0, 117) + "..." : sql;
    }
}
