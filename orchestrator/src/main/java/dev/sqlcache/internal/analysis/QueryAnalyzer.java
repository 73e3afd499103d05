package dev.sqlcache.internal.analysis;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.sqlcache.internal.analysis.LeadingKeywords.Sniff;
import dev.sqlcache.internal.analysis.SqlLexer.Token;
import dev.sqlcache.stats.BypassReason;
import org.jooq.Configuration;
import org.jooq.DDLQuery;
import org.jooq.DSLContext;
import org.jooq.Merge;
import org.jooq.Queries;
import org.jooq.Query;
import org.jooq.QueryPart;
import org.jooq.Select;
import org.jooq.conf.ParseNameCase;
import org.jooq.conf.ParseUnknownFunctions;
import org.jooq.conf.ParseWithMetaLookups;
import org.jooq.conf.RenderKeywordCase;
import org.jooq.conf.RenderNameCase;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.DefaultVisitListenerProvider;
import org.jooq.impl.QOM;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;

/**
 * Tells, for a SQL text, what kind of statement it is, which tables it reads and writes and whether its result may
 * be cached. Results, failures included, are cached per exact text, so a statement executed again is not parsed
 * again: a repeated call costs one cache lookup.
 *
 * <p>Thread-safe. {@link #analyze(String)} never throws: whatever cannot be understood is reported as
 * {@link StatementKind#UNKNOWN}, which the engine treats conservatively.
 */
public final class QueryAnalyzer {

    static {
        // Before any jOOQ class renders: no logo or tips in the application's log.
        JooqQuiet.apply();
    }

    private static final Logger LOG = LoggerFactory.getLogger(QueryAnalyzer.class);

    /** MySQL select modifiers jOOQ misparses (SELECT SQL_NO_CACHE * FROM t reads as a product aliased t). */
    private static final Set<String> MYSQL_SELECT_MODIFIERS = Set.of("SQL_NO_CACHE", "SQL_CACHE", "SQL_CALC_FOUND_ROWS",
            "HIGH_PRIORITY", "STRAIGHT_JOIN", "SQL_SMALL_RESULT", "SQL_BIG_RESULT", "SQL_BUFFER_RESULT");

    private final DatabaseFamily family;
    private final SqlLexer lexer;
    private final FunctionPolicy functions;
    private final DSLContext parser;
    private final Configuration renderConfiguration;
    private final LoadingCache<String, QueryAnalysis> cache;
    private final LongAdder analyses = new LongAdder();

    /**
     * @param family    the database family, which selects the SQL dialect; {@code null} means {@link DatabaseFamily#OTHER}
     * @param cacheSize how many distinct SQL texts to remember the analysis of; 0 disables the cache
     * @throws IllegalArgumentException if {@code cacheSize} is negative
     */
    public QueryAnalyzer(DatabaseFamily family, int cacheSize) {
        this(family, cacheSize, true);
    }

    /**
     * @param family           the database family, which selects the SQL dialect; {@code null} means {@link DatabaseFamily#OTHER}
     * @param cacheSize        how many distinct SQL texts to remember the analysis of; 0 disables the cache
     * @param backslashEscapes MySQL and MariaDB: whether the session reads a backslash in a string as an escape
     *                         (false when its sql_mode has NO_BACKSLASH_ESCAPES); ignored for other databases
     * @throws IllegalArgumentException if {@code cacheSize} is negative
     */
    public QueryAnalyzer(DatabaseFamily family, int cacheSize, boolean backslashEscapes) {
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cacheSize must not be negative: " + cacheSize);
        }
        this.family = family == null ? DatabaseFamily.OTHER : family;
        this.lexer = new SqlLexer(this.family, backslashEscapes);
        this.functions = new FunctionPolicy(this.family);
        Settings settings = new Settings()
                .withParseDialect(this.family.dialect())
                .withParseUnknownFunctions(ParseUnknownFunctions.IGNORE)
                .withParseWithMetaLookups(ParseWithMetaLookups.OFF)
                // Never drop what the parser cannot model: a clause silently lost could merge two statements.
                .withParseIgnoreCommercialOnlyFeatures(false)
                .withParseIgnoreComments(false)
                // Otherwise GROUP_CONCAT renders as a batch that sets session variables.
                .withRenderGroupConcatMaxLenSessionVariable(false)
                // Unquoted names keep their case: whether T and t are the same table depends on the server.
                .withParseNameCase(ParseNameCase.AS_IS)
                .withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_UNQUOTED)
                .withRenderNameCase(RenderNameCase.AS_IS)
                .withRenderKeywordCase(RenderKeywordCase.LOWER)
                .withRenderFormatted(false);
        this.parser = DSL.using(this.family.dialect(), settings);
        this.renderConfiguration = new DefaultConfiguration().set(this.family.dialect()).set(settings);
        this.cache = Caffeine.newBuilder().maximumSize(cacheSize).build(this::analyzeUncached);
    }

    /**
     * Analyses one SQL text, from the cache when this exact text was analysed before.
     *
     * @param sql the text as the application passed it to the driver; may be {@code null}
     * @return the analysis, never {@code null}
     */
    public QueryAnalysis analyze(String sql) {
        if (sql == null) {
            return Analyses.EMPTY;
        }
        return cache.get(sql);
    }

    /** How many texts were analysed rather than served from the cache; for tests and statistics. */
    long analysisCount() {
        return analyses.sum();
    }

    /** How many analyses the cache holds now, after pending evictions; for tests. */
    long cachedAnalyses() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private QueryAnalysis analyzeUncached(String sql) {
        analyses.increment();
        try {
            return analyzeText(sql);
        } catch (RuntimeException | StackOverflowError e) {
            // Defensive: the lexer and jOOQ's renderer are not supposed to fail, but a failure must not
            // reach the application, and the text's fate is then simply unknown.
            LOG.debug("SQL analysis failed ({} chars): {}", sql.length(), e.toString());
            return Analyses.unparseable(true);
        }
    }

    private QueryAnalysis analyzeText(String sql) {
        SqlLexer.Result lexed = lexer.lex(sql);
        List<List<Token>> statements = lexed.statements();
        QueryAnalysis analysis = analyzeStatements(sql, lexed, statements);
        return family.isMySqlLike() ? analysis.with(tableControl(sql, lexed, statements)) : analysis;
    }

    /**
     * What the text's first words do to the session's tables, as the server reads them: after any leading comments,
     * but not after an executable comment ({@code /*!}, {@code /*M!}), whose content runs first and is not known
     * here, nor after a stray semicolon. Only the first statement's words count.
     */
    private static TableControl tableControl(String sql, SqlLexer.Result lexed, List<List<Token>> statements) {
        List<Token> tokens = lexed.tokens();
        if (tokens.isEmpty() || tokens.get(0).type() == SqlLexer.Type.SEMICOLON) {
            return TableControl.NONE;
        }
        if (lexed.executableComment()) {
            String leading = sql.substring(0, tokens.get(0).start());
            if (leading.contains("/*!") || leading.contains("/*M!")) {
                return TableControl.NONE;
            }
        }
        return LeadingKeywords.tableControl(statements.get(0));
    }

    private QueryAnalysis analyzeStatements(String sql, SqlLexer.Result lexed, List<List<Token>> statements) {
        if (lexed.unterminated() || lexed.executableComment()) {
            // An open quote or comment, or MySQL code hidden in a comment: nothing reliable can be said.
            LOG.debug("Unterminated literal or executable comment in SQL ({} chars)", sql.length());
            return Analyses.unparseable(lexed.executableComment() || statements.isEmpty()
                    || statements.size() > 1 || LeadingKeywords.mayWriteWhenUnparseable(statements.get(0)));
        }
        if (statements.isEmpty()) {
            return Analyses.EMPTY;
        }
        if (statements.size() == 1) {
            return analyzeStatement(statements.get(0), lexed);
        }
        List<QueryAnalysis> parts = new ArrayList<>(statements.size());
        for (List<Token> statement : statements) {
            parts.add(analyzeStatement(statement, null));
        }
        return combine(parts);
    }

    /**
     * Several statements in one text are never cached. Their tables are the union of the parts'. When a part
     * controls the transaction or the session or is not understood, the whole is UNKNOWN and may write anything.
     */
    private static QueryAnalysis combine(List<QueryAnalysis> parts) {
        Set<String> read = new TreeSet<>();
        Set<String> written = new TreeSet<>();
        Set<String> assigned = new TreeSet<>();
        boolean writesUnknown = false;
        boolean temporary = false;
        boolean upsert = false;
        StatementKind kind = StatementKind.SELECT;
        boolean opaque = false;
        for (QueryAnalysis part : parts) {
            read.addAll(part.tablesRead());
            written.addAll(part.tablesWritten());
            assigned.addAll(part.assignedColumns());
            writesUnknown |= part.writesUnknownTables();
            temporary |= part.createsTemporaryTable();
            upsert |= part.upsert();
            switch (part.kind()) {
                case SELECT -> { }
                case OTHER -> kind = kind == StatementKind.SELECT ? StatementKind.OTHER : kind;
                case TRANSACTION_CONTROL, SESSION, UNKNOWN -> opaque = true;
                default -> kind = kind.isWrite() ? kind : part.kind();
            }
        }
        // Key pins are per statement: the parts' pins say nothing about the whole.
        WriteShape shape = new WriteShape(assigned, upsert);
        if (opaque) {
            return new QueryAnalysis(StatementKind.UNKNOWN, read, written, true, BypassReason.MULTIPLE_STATEMENTS, null, null,
                    temporary).with(Map.of(), shape);
        }
        return new QueryAnalysis(kind, read, written, writesUnknown, BypassReason.MULTIPLE_STATEMENTS, null, null, temporary)
                .with(Map.of(), shape);
    }

    /**
     * @param lexed the lexer's result when the statement is the whole text, so that its bind markers are the
     *              text's; null otherwise (then nothing is pinned)
     */
    private QueryAnalysis analyzeStatement(List<Token> statement, SqlLexer.Result lexed) {
        Sniff sniff = LeadingKeywords.sniff(statement);
        if (sniff.kind() != null) {
            return fromKeywords(statement, sniff);
        }
        if (lexer.backslashEscapes()) {
            statement = MySqlStrings.standardized(statement);
            if (statement == null) {
                return Analyses.unparseable(true);
            }
        }
        WriteTargets.Stripped stripped = WriteTargets.withoutModifiers(statement, family);
        statement = stripped.statement();
        boolean replace = stripped.replace();
        if (family.isMySqlLike() && (statement.stream().anyMatch(QueryAnalyzer::confusesJooqInMySql)
                || namesDeleteTargetsBeforeFrom(statement))) {
            return unparsed(statement, replace);
        }
        if (!family.isMySqlLike() && namesOnlyTable(statement)) {
            return unparsed(statement, replace);
        }
        Query parsed = parseOne(SqlLexer.text(statement), statement.size());
        if (parsed == null) {
            return unparsed(statement, replace);
        }
        QueryAnalysis analysis = analyzeParsed(statement, parsed, lexed);
        return replace ? asReplace(analysis) : analysis;
    }

    /**
     * MySQL's REPLACE, parsed as the INSERT it is written as: it deletes every row that conflicts on any unique key
     * before inserting, so it may change rows its values do not name (no key pins) and it sets off ON DELETE
     * actions (told to the engine as a MERGE, which follows every foreign key action).
     */
    private static QueryAnalysis asReplace(QueryAnalysis insert) {
        if (insert.kind() != StatementKind.INSERT) {
            return insert;
        }
        return new QueryAnalysis(StatementKind.MERGE, insert.tablesRead(), insert.tablesWritten(),
                insert.writesUnknownTables(), insert.bypassReason(), insert.normalizedSql(), null,
                insert.createsTemporaryTable()).with(Map.of(), new WriteShape(Set.of(), true));
    }

    /** The one query jOOQ parses from a statement's text, or null. */
    private Query parseOne(String text, int tokens) {
        Queries queries;
        try {
            queries = parser.parser().parse(text);
        } catch (RuntimeException e) {
            LOG.debug("jOOQ cannot parse SQL ({} tokens): {}", tokens, firstLine(e.getMessage()));
            return null;
        }
        Query[] parsed = queries.queries();
        if (parsed.length != 1) {
            // jOOQ silently skips statements it does not know (most SET variants), or split differently.
            LOG.debug("jOOQ parsed {} queries from one statement", parsed.length);
            return null;
        }
        return parsed[0];
    }

    private QueryAnalysis fromKeywords(List<Token> statement, Sniff sniff) {
        if (sniff.executedInner() >= 0) {
            QueryAnalysis inner = analyzeStatement(statement.subList(sniff.executedInner(), statement.size()), null);
            if (inner.kind() == StatementKind.SELECT && inner.tablesWritten().isEmpty() && !inner.writesUnknownTables()
                    && inner.bypassReason() != BypassReason.UNKNOWN_FUNCTION) {
                return Analyses.noData(StatementKind.OTHER);
            }
            // EXPLAIN ANALYZE runs the statement: it writes what the statement writes.
            return new QueryAnalysis(inner.kind(), inner.tablesRead(), inner.tablesWritten(), inner.writesUnknownTables(),
                    inner.bypassReason() == null ? BypassReason.NOT_A_READ : inner.bypassReason(), null,
                    inner.transactionControl(), inner.createsTemporaryTable())
                    .with(Map.of(), new WriteShape(inner.assignedColumns(), inner.upsert()));
        }
        return switch (sniff.kind()) {
            case TRANSACTION_CONTROL -> Analyses.transaction(sniff.transactionControl());
            case CALL -> Analyses.call(LeadingKeywords.routineName(statement));
            // SET @x = f(): a stored function runs, and may write anything (SessionCache leases the database).
            case SESSION -> LeadingKeywords.callsUnknownFunction(statement)
                    ? new QueryAnalysis(StatementKind.SESSION, Set.of(), Set.of(), false,
                            BypassReason.UNKNOWN_FUNCTION, null, null, false)
                    : Analyses.noData(StatementKind.SESSION);
            default -> Analyses.noData(sniff.kind());
        };
    }

    /**
     * jOOQ could not parse it: DDL and TRUNCATE are still recognisable, a write whose target its shape makes certain
     * is told by {@link WriteTargets}, everything else is unknown.
     *
     * @param replace the statement is a MySQL REPLACE written as INSERT ({@link WriteTargets#withoutModifiers})
     */
    private QueryAnalysis unparsed(List<Token> statement, boolean replace) {
        if (LeadingKeywords.isDdl(statement)) {
            return Analyses.unknownTables(StatementKind.DDL, LeadingKeywords.createsTemporaryTable(statement));
        }
        if (LeadingKeywords.isTruncate(statement)) {
            return Analyses.unknownTables(StatementKind.TRUNCATE, false);
        }
        WriteShape shape = replace ? new WriteShape(Set.of(), true) : WriteShape.ofUnparsed(statement);
        StatementKind kind = statement.isEmpty() ? null : switch (statement.get(0).upper()) {
            case "INSERT" -> replace ? StatementKind.MERGE : StatementKind.INSERT;
            case "UPDATE" -> StatementKind.UPDATE;
            case "DELETE" -> StatementKind.DELETE;
            default -> null;
        };
        if (kind != null) {
            Set<String> written = writtenByUnparsed(statement);
            if (written != null) {
                LOG.debug("jOOQ cannot parse a {} ({} tokens): it writes {} by its shape", kind, statement.size(), written);
                return new QueryAnalysis(kind, Set.of(), written, false, BypassReason.NOT_A_READ, null, null, false)
                        .with(Map.of(), shape);
            }
        }
        return Analyses.unparseable(LeadingKeywords.mayWriteWhenUnparseable(statement)).with(Map.of(), shape);
    }

    /**
     * The tables an unparseable INSERT, UPDATE or DELETE writes when its shape makes them certain: its one target,
     * or every table named in a multi-table UPDATE's or DELETE's references (a superset of its targets). Null when
     * uncertain.
     */
    private Set<String> writtenByUnparsed(List<Token> statement) {
        String target = WriteTargets.singleTarget(statement);
        if (target != null) {
            return Set.of(target);
        }
        List<Token> references = WriteTargets.multiTableReferences(statement);
        if (references == null) {
            return null;
        }
        List<Token> select = new ArrayList<>(references.size() + 3);
        select.add(new Token(SqlLexer.Type.WORD, "select", true));
        select.add(new Token(SqlLexer.Type.NUMBER, "1", true));
        select.add(new Token(SqlLexer.Type.WORD, "from", true));
        Token first = references.get(0);
        select.add(new Token(first.type(), first.text(), true, first.start()));
        select.addAll(references.subList(1, references.size()));
        QueryAnalysis named = analyzeStatement(List.copyOf(select), null);
        if (named.kind() != StatementKind.SELECT || named.tablesRead().isEmpty() || !named.tablesWritten().isEmpty()
                || named.bypassReason() == BypassReason.UNKNOWN_FUNCTION) {
            return null;
        }
        return named.tablesRead();
    }

    private QueryAnalysis analyzeParsed(List<Token> statement, Query query, SqlLexer.Result lexed) {
        StatementKind topKind = kindOf(query);
        if (topKind == StatementKind.TRANSACTION_CONTROL || topKind == StatementKind.SESSION) {
            // Normally caught by the keyword sniffing; a parsed one that slipped through changes no data.
            return topKind == StatementKind.SESSION ? Analyses.noData(topKind) : unparsed(statement, false);
        }
        TableCollector collector = new TableCollector(functions, topKind == StatementKind.DDL || topKind == StatementKind.TRUNCATE);
        QueryBlocks blocks = new QueryBlocks();
        String rendered = DSL.using(renderConfiguration.derive(DefaultVisitListenerProvider.providers(collector, blocks))).render(query);
        String normalized = CanonicalText.normalized(statement, rendered, lexer);

        StatementKind kind = topKind;
        if (kind == StatementKind.SELECT && collector.nestedWrite() != null) {
            kind = collector.nestedWrite(); // a writable CTE or SELECT INTO
        }
        if (kind == StatementKind.UNKNOWN) {
            return Analyses.unparseable(true);
        }
        Set<String> read = collector.tablesRead();
        Set<String> written = collector.tablesWritten();
        boolean temporary = LeadingKeywords.createsTemporaryTable(statement);
        if (kind != StatementKind.SELECT) {
            // A function nothing is known about (user-defined, or a built-in sqlcache does not list) may write any table.
            boolean writesUnknown = kind.isWrite() && (written.isEmpty() || collector.unknownFunction());
            QueryAnalysis write = new QueryAnalysis(kind, read, written, writesUnknown, BypassReason.NOT_A_READ, normalized,
                    null, temporary);
            boolean pinnable = kind == StatementKind.INSERT || kind == StatementKind.UPDATE || kind == StatementKind.DELETE;
            return write.with(pinnable ? keyPins(statement, lexed, query, rendered, blocks, collector, kind) : Map.of(),
                    WriteShape.of(query));
        }
        QueryAnalysis select = new QueryAnalysis(kind, read, Set.of(), false, selectBypass(statement, rendered, collector),
                normalized, null, false);
        return select.cacheable()
                ? select.with(keyPins(statement, lexed, query, rendered, blocks, collector, kind), WriteShape.NONE)
                : select;
    }

    /**
     * The key pins of a parsed statement (see {@link KeyPins}). With bind markers, the pins come from a second parse
     * in which each marker has a name telling its JDBC index, trusted only when it renders exactly as the first.
     * Computed once per text, like the rest of the analysis; a failure here costs the pins, never the analysis.
     */
    private Map<String, List<ColumnPin>> keyPins(List<Token> statement, SqlLexer.Result lexed, Query query, String rendered,
                                                 QueryBlocks blocks, TableCollector tables, StatementKind kind) {
        NumberedBinds binds = lexed == null ? null : NumberedBinds.of(statement, lexed, family);
        if (binds == null) {
            return Map.of();
        }
        try {
            Query pinned = query;
            QueryBlocks pinnedBlocks = blocks;
            if (binds.count() > 0) {
                pinned = parseOne(NumberedBinds.namedText(statement), statement.size());
                pinnedBlocks = new QueryBlocks();
                if (pinned == null || !rendered.equals(
                        DSL.using(renderConfiguration.derive(new DefaultVisitListenerProvider(pinnedBlocks))).render(pinned))) {
                    LOG.debug("SQL with numbered binds parses differently ({} tokens): no key pins", statement.size());
                    return Map.of();
                }
            }
            return KeyPins.find(pinned, pinnedBlocks, tables, kind, statement, binds, this::declaration);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.debug("Key pins not found ({} tokens): {}", statement.size(), e.toString());
            return Map.of();
        }
    }

    /** A table as a FROM clause declares it, alias and derived column list included. */
    private String declaration(QueryPart table) {
        return DSL.using(renderConfiguration).renderContext().declareTables(true).visit(table).render();
    }

    private BypassReason selectBypass(List<Token> statement, String renderedText, TableCollector collector) {
        List<Token> rendered = lexer.lex(renderedText).tokens();
        if (LockingClauses.isLockingRead(statement) || LockingClauses.isLockingRead(rendered)) {
            return BypassReason.LOCKING_READ;
        }
        if (collector.unknownFunction()) {
            return BypassReason.UNKNOWN_FUNCTION;
        }
        if (collector.nonDeterministic() || functions.mentionsNonDeterministic(statement) || functions.mentionsNonDeterministic(rendered)) {
            return BypassReason.NON_DETERMINISTIC;
        }
        if (collector.tablesRead().stream().anyMatch(SystemCatalogs::isSystemTable)) {
            return BypassReason.SYSTEM_CATALOG;
        }
        if (collector.tablesRead().isEmpty()) {
            return BypassReason.NO_TABLE;
        }
        return null;
    }

    /**
     * jOOQ does not read MySQL backslash escapes: it would end "a\" b" at the second quote and parse the rest of
     * the literal as SQL, seeing other tables than MySQL. ('...' literals are rewritten to standard ones before, see
     * {@link MySqlStrings}; "..." may be an identifier or a string, depending on ANSI_QUOTES.) It also misparses
     * MySQL's SELECT modifiers.
     */
    private static boolean confusesJooqInMySql(Token token) {
        return switch (token.type()) {
            case QUOTED_IDENTIFIER -> token.text().indexOf('\\') >= 0;
            case WORD -> MYSQL_SELECT_MODIFIERS.contains(token.upper());
            default -> false;
        };
    }

    /**
     * MySQL's multi-table {@code DELETE a FROM t AS a JOIN u ...}: jOOQ reports the alias as the table written, so
     * the table behind it would not be invalidated. Such statements go to {@link WriteTargets}, which takes every
     * table of the references.
     */
    private static boolean namesDeleteTargetsBeforeFrom(List<Token> statement) {
        return statement.size() > 1 && statement.get(0).isWord("DELETE") && !statement.get(1).isWord("FROM");
    }

    /**
     * PostgreSQL's {@code FROM ONLY t} (t without its inheritance children): jOOQ reads a table named "only" aliased
     * t, so the statement would depend on, or invalidate, the wrong table.
     */
    private static boolean namesOnlyTable(List<Token> statement) {
        for (int i = 1; i < statement.size(); i++) {
            Token previous = statement.get(i - 1);
            if (statement.get(i).isWord("ONLY") && (previous.isWord("FROM") || previous.isWord("JOIN")
                    || previous.isWord("UPDATE") || previous.isWord("TABLE") || previous.isWord("TRUNCATE")
                    || previous.isSymbol(','))) {
                return true;
            }
        }
        return false;
    }

    private static StatementKind kindOf(Query query) {
        if (query instanceof Select) {
            return StatementKind.SELECT;
        }
        if (query instanceof QOM.Insert || query instanceof QOM.InsertReturning) {
            return StatementKind.INSERT;
        }
        if (query instanceof QOM.Update || query instanceof QOM.UpdateReturning) {
            return StatementKind.UPDATE;
        }
        if (query instanceof QOM.Delete || query instanceof QOM.DeleteReturning) {
            return StatementKind.DELETE;
        }
        if (query instanceof Merge) {
            return StatementKind.MERGE;
        }
        if (query instanceof QOM.Truncate) {
            return StatementKind.TRUNCATE;
        }
        if (query instanceof QOM.StartTransaction || query instanceof QOM.Commit || query instanceof QOM.Rollback
                || query instanceof QOM.Savepoint || query instanceof QOM.ReleaseSavepoint) {
            return StatementKind.TRANSACTION_CONTROL;
        }
        if (query instanceof QOM.SetSchema || query instanceof QOM.SetCatalog || query instanceof QOM.SetCommand) {
            return StatementKind.SESSION;
        }
        if (query instanceof DDLQuery) {
            return StatementKind.DDL;
        }
        return StatementKind.UNKNOWN; // anonymous blocks and other procedural code
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
