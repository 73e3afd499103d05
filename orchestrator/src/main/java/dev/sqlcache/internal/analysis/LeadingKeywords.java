package dev.sqlcache.internal.analysis;

import dev.sqlcache.internal.analysis.SqlLexer.Token;
import dev.sqlcache.internal.analysis.SqlLexer.Type;

import java.util.List;
import java.util.Set;

/**
 * Classifies a statement by its first keywords, before and instead of parsing.
 *
 * <p>jOOQ's parser rejects or silently drops many statements that matter most to a cache: {@code BEGIN} in
 * PostgreSQL, most {@code SET} variants (it returns no query at all for them), {@code SHOW}, {@code EXPLAIN},
 * {@code CALL} (a commercial-edition feature). Those are recognised here from their leading keywords; comments
 * are already gone because the input is a token list.
 */
final class LeadingKeywords {

    /**
     * The outcome of sniffing one statement.
     *
     * @param kind               the kind, or {@code null} when the statement has to be parsed
     * @param transactionControl the transaction-control statement, for {@link StatementKind#TRANSACTION_CONTROL}
     * @param executedInner      for {@code EXPLAIN ANALYZE} and friends: the index of the statement that is
     *                           executed, not just explained; -1 otherwise
     */
    record Sniff(StatementKind kind, TransactionControl transactionControl, int executedInner) {
        static final Sniff PARSE = new Sniff(null, null, -1);

        static Sniff of(StatementKind kind) {
            return new Sniff(kind, null, -1);
        }

        static Sniff transaction(TransactionControl control) {
            return new Sniff(StatementKind.TRANSACTION_CONTROL, control, -1);
        }
    }

    /** First keywords of statements that neither change data nor session state when they cannot be parsed. */
    private static final Set<String> READ_ONLY_FIRST_WORDS = Set.of("SELECT", "VALUES", "TABLE", "SHOW", "EXPLAIN", "DESCRIBE", "DESC");

    /** First keywords of DDL statements. */
    private static final Set<String> DDL_FIRST_WORDS = Set.of("CREATE", "ALTER", "DROP", "RENAME", "COMMENT", "GRANT", "REVOKE", "REFRESH");

    /** Keywords that can start the statement behind EXPLAIN / ANALYZE. */
    private static final Set<String> STATEMENT_STARTS = Set.of("SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES",
            "TABLE", "REPLACE", "CREATE", "EXECUTE", "DECLARE");

    private static final Set<String> BEGIN_FOLLOWERS = Set.of("WORK", "TRANSACTION", "TRAN", "ISOLATION", "READ", "DEFERRABLE", "NOT");

    private LeadingKeywords() {
    }

    static Sniff sniff(List<Token> st) {
        if (st.isEmpty()) {
            return Sniff.PARSE;
        }
        Token first = st.get(0);
        if (first.isSymbol('{')) {
            // JDBC escapes {call p(?)} and {? = call p(?)}
            return word(st, 1, "CALL") || (at(st, 1).type() == Type.PARAMETER && word(st, 3, "CALL")) ? Sniff.of(StatementKind.CALL) : Sniff.PARSE;
        }
        if (first.type() != Type.WORD) {
            return Sniff.PARSE;
        }
        switch (first.upper()) {
            case "BEGIN":
                return st.size() == 1 || BEGIN_FOLLOWERS.contains(at(st, 1).upper()) ? Sniff.transaction(begin(st)) : Sniff.PARSE;
            case "START":
                return word(st, 1, "TRANSACTION") ? Sniff.transaction(begin(st)) : Sniff.PARSE;
            case "COMMIT":
            case "END":
                if (word(st, 1, "PREPARED")) {
                    return Sniff.PARSE;
                }
                return Sniff.transaction(chains(st) ? TransactionControl.COMMIT_AND_CHAIN : TransactionControl.COMMIT);
            case "ABORT":
                return Sniff.transaction(TransactionControl.ROLLBACK);
            case "ROLLBACK":
                if (word(st, 1, "PREPARED")) {
                    return Sniff.PARSE; // ends another, prepared transaction: unknown effects
                }
                for (Token t : st) {
                    if (t.isWord("TO")) {
                        return Sniff.transaction(TransactionControl.ROLLBACK_TO_SAVEPOINT);
                    }
                }
                return Sniff.transaction(chains(st) ? TransactionControl.ROLLBACK_AND_CHAIN : TransactionControl.ROLLBACK);
            case "SAVEPOINT":
                return Sniff.transaction(TransactionControl.SAVEPOINT);
            case "RELEASE":
                return Sniff.transaction(TransactionControl.RELEASE_SAVEPOINT);
            case "SET":
                return sniffSet(st);
            case "RESET":
            case "USE":
            case "DISCARD":
            case "DEALLOCATE":
            case "LISTEN":
            case "UNLISTEN":
                return Sniff.of(StatementKind.SESSION);
            case "PREPARE":
                // PREPARE TRANSACTION hands the transaction over to two-phase commit: leave it unknown.
                return word(st, 1, "TRANSACTION") ? Sniff.PARSE : Sniff.of(StatementKind.SESSION);
            case "CALL":
            case "EXEC":
            case "EXECUTE":
            case "DO":
                return Sniff.of(StatementKind.CALL);
            case "SHOW":
            case "DESCRIBE":
            case "DESC":
            case "VACUUM":
            case "CHECKPOINT":
                return Sniff.of(StatementKind.OTHER);
            case "EXPLAIN":
            case "ANALYZE":
            case "ANALYSE":
                return sniffExplain(st);
            default:
                return Sniff.PARSE;
        }
    }

    private static Sniff sniffSet(List<Token> st) {
        int inner = setStatementInner(st);
        if (inner >= 0) {
            return new Sniff(StatementKind.SESSION, null, inner);
        }
        int i = 1;
        if (word(st, i, "SESSION") || word(st, i, "GLOBAL") || word(st, i, "LOCAL")) {
            if (word(st, i + 1, "CHARACTERISTICS")) {
                return Sniff.transaction(TransactionControl.SET_TRANSACTION);
            }
            i++;
        }
        return word(st, i, "TRANSACTION") ? Sniff.transaction(TransactionControl.SET_TRANSACTION) : Sniff.of(StatementKind.SESSION);
    }

    /**
     * EXPLAIN only plans a statement, but EXPLAIN ANALYZE (PostgreSQL, MySQL) and ANALYZE &lt;statement&gt;
     * (MariaDB) execute it, writes included.
     */
    private static Sniff sniffExplain(List<Token> st) {
        boolean executes = !st.get(0).isWord("EXPLAIN");
        for (int i = 1; i < st.size(); i++) {
            Token t = st.get(i);
            if (t.type() == Type.WORD && STATEMENT_STARTS.contains(t.upper())) {
                return new Sniff(StatementKind.OTHER, null, executes ? i : -1);
            }
            if (t.isWord("ANALYZE") || t.isWord("ANALYSE")) {
                executes = true;
            }
        }
        return Sniff.of(StatementKind.OTHER);
    }

    /** Whether the first keyword says an unparseable statement may change data. */
    static boolean mayWriteWhenUnparseable(List<Token> st) {
        if (st.isEmpty()) {
            return false;
        }
        Token first = st.get(0);
        if (first.type() != Type.WORD || !READ_ONLY_FIRST_WORDS.contains(first.upper())) {
            return true;
        }
        // SELECT ... INTO creates a table (PostgreSQL) or writes variables or files (MySQL).
        return st.stream().anyMatch(t -> t.isWord("INTO"));
    }

    /** Whether the statement starts with a DDL keyword. */
    static boolean isDdl(List<Token> st) {
        return !st.isEmpty() && st.get(0).type() == Type.WORD && DDL_FIRST_WORDS.contains(st.get(0).upper());
    }

    /**
     * The procedure a CALL names: {@code CALL p(...)}, {@code EXEC p}, {@code {call s.p(?)}},
     * {@code {? = call p(?)}}; lower case, qualified as written. Null when there is no name to read.
     */
    static String routineName(List<Token> st) {
        int i = 0;
        while (i < st.size() && !(st.get(i).type() == Type.WORD && (st.get(i).upper().equals("CALL")
                || st.get(i).upper().equals("EXEC") || st.get(i).upper().equals("EXECUTE")))) {
            i++;
        }
        StringBuilder name = new StringBuilder();
        for (int j = i + 1; j < st.size(); j++) {
            Token t = st.get(j);
            if (t.type() == Type.WORD || t.type() == Type.QUOTED_IDENTIFIER) {
                String part = t.type() == Type.QUOTED_IDENTIFIER ? t.text().substring(1, t.text().length() - 1) : t.text();
                name.append(part.toLowerCase(java.util.Locale.ROOT));
                if (j + 1 < st.size() && st.get(j + 1).isSymbol('.')) {
                    name.append('.');
                    j++;
                    continue;
                }
            }
            break;
        }
        return name.length() == 0 ? null : name.toString();
    }

    /** COMMIT AND CHAIN / ROLLBACK AND CHAIN (not AND NO CHAIN): a new transaction starts at once. */
    private static boolean chains(List<Token> st) {
        for (int i = 1; i + 1 < st.size(); i++) {
            if (st.get(i).isWord("AND") && st.get(i + 1).isWord("CHAIN")) {
                return true;
            }
        }
        return false;
    }

    /** BEGIN ISOLATION LEVEL ... / START TRANSACTION READ ONLY ...: a transaction with its own characteristics. */
    private static TransactionControl begin(List<Token> st) {
        for (Token t : st) {
            if (t.type() == Type.WORD && (t.upper().equals("ISOLATION") || t.upper().equals("SNAPSHOT"))) {
                return TransactionControl.BEGIN_WITH_ISOLATION;
            }
        }
        return TransactionControl.BEGIN;
    }

    /** First keywords of MySQL's table maintenance statements, which commit the open transaction first. */
    private static final Set<String> MAINTENANCE_FIRST_WORDS = Set.of("ANALYZE", "CHECK", "OPTIMIZE", "REPAIR");

    /**
     * MySQL and MariaDB: whether the statement locks or unlocks tables ({@code LOCK ...}, {@code UNLOCK ...}) or
     * maintains them (ANALYZE, CHECK, OPTIMIZE or REPAIR [NO_WRITE_TO_BINLOG | LOCAL] TABLE[S]).
     */
    static TableControl tableControl(List<Token> st) {
        int inner = setStatementInner(st);
        if (inner >= 0) {
            return tableControl(st.subList(inner, st.size()));
        }
        if (st.size() < 2 || st.get(0).type() != Type.WORD) {
            return TableControl.NONE;
        }
        String first = st.get(0).upper();
        if (first.equals("LOCK")) {
            return TableControl.LOCK;
        }
        if (first.equals("UNLOCK")) {
            return TableControl.UNLOCK;
        }
        if (!MAINTENANCE_FIRST_WORDS.contains(first)) {
            return TableControl.NONE;
        }
        int table = word(st, 1, "NO_WRITE_TO_BINLOG") || word(st, 1, "LOCAL") ? 2 : 1;
        return word(st, table, "TABLE") || word(st, table, "TABLES") ? TableControl.MAINTENANCE : TableControl.NONE;
    }

    /**
     * MariaDB's {@code SET STATEMENT var = value [, ...] FOR <statement>}, which runs the statement with the variables
     * changed for it alone: where that statement starts (after the first FOR outside parentheses); -1 for any
     * other text. Taken for an ordinary SET, its write leased nothing and its implicit commit went unseen.
     */
    static int setStatementInner(List<Token> st) {
        if (!word(st, 0, "SET") || !word(st, 1, "STATEMENT")) {
            return -1;
        }
        int depth = 0;
        for (int i = 2; i < st.size() - 1; i++) {
            Token t = st.get(i);
            if (t.isSymbol('(')) {
                depth++;
            } else if (t.isSymbol(')')) {
                depth--;
            } else if (depth == 0 && t.isWord("FOR")) {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * Whether a session statement calls a function that is not a built-in known to write nothing (a stored function
     * in {@code SET @x = f()}, which may write any table). Told by a name right before an opening parenthesis.
     */
    static boolean callsUnknownFunction(List<Token> st) {
        for (int i = 1; i < st.size() - 1; i++) {
            Token t = st.get(i);
            if (t.type() == Type.WORD && st.get(i + 1).isSymbol('(')
                    && !FunctionPolicy.isKnownBuiltIn(t.text().toLowerCase(java.util.Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the statement starts with TRUNCATE. */
    static boolean isTruncate(List<Token> st) {
        return word(st, 0, "TRUNCATE");
    }

    /**
     * CREATE [OR REPLACE] [GLOBAL | LOCAL] {TEMP | TEMPORARY} TABLE, or MySQL's and MariaDB's DROP TEMPORARY TABLE:
     * DDL on this session's own tables, which commits nothing (taken for committing DDL, a DROP TEMPORARY TABLE
     * ended the transaction's leases while its writes were open) and changes what the session's queries see.
     */
    static boolean createsTemporaryTable(List<Token> st) {
        if (word(st, 0, "DROP") && word(st, 1, "TEMPORARY") && word(st, 2, "TABLE")) {
            return true;
        }
        if (!word(st, 0, "CREATE")) {
            return false;
        }
        int i = 1;
        if (word(st, i, "OR") && word(st, i + 1, "REPLACE")) {
            i += 2;
        }
        if (word(st, i, "GLOBAL") || word(st, i, "LOCAL")) {
            i++;
        }
        if (!word(st, i, "TEMP") && !word(st, i, "TEMPORARY")) {
            return false;
        }
        i++;
        // H2: CREATE LOCAL TEMPORARY [MEMORY | CACHED] TABLE
        if (word(st, i, "MEMORY") || word(st, i, "CACHED")) {
            i++;
        }
        return word(st, i, "TABLE");
    }

    private static boolean word(List<Token> st, int i, String upperCaseWord) {
        return i < st.size() && st.get(i).isWord(upperCaseWord);
    }

    private static Token at(List<Token> st, int i) {
        return i < st.size() ? st.get(i) : new Token(Type.SYMBOL, "", false);
    }
}
