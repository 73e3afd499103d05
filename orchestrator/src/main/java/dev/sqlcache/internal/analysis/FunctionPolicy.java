package dev.sqlcache.internal.analysis;

import dev.sqlcache.internal.analysis.SqlLexer.Token;
import dev.sqlcache.internal.analysis.SqlLexer.Type;
import org.jooq.Field;
import org.jooq.Param;
import org.jooq.QueryPart;
import org.jooq.TableField;
import org.jooq.impl.QOM;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a function makes a query's result change between two executions over unchanged data, which
 * would make a cached result wrong.
 *
 * <p>Functions jOOQ models (it has a class for them) are deterministic unless blacklisted. Functions it does not
 * model are parsed as plain, opaque calls: those are non-deterministic unless on the whitelist, because a
 * user-defined function may read anything. As a second line of defence, the token text of the statement (as
 * written and as rendered) is scanned for blacklisted names, which also catches niladic forms such as
 * {@code SYSDATE} or {@code session_user} that jOOQ parses as plain column references.
 */
final class FunctionPolicy {

    /** jOOQ's classes for plain function calls: an unknown function and render helpers of modelled ones. */
    private static final Set<String> PLAIN_FUNCTION_CLASSES = Set.of(
            "org.jooq.impl.Function", "org.jooq.impl.Function1", "org.jooq.impl.DefaultAggregateFunction");

    /** Names (lower case) of functions whose result depends on time, session, randomness or sequences. */
    private static final Set<String> NON_DETERMINISTIC = Set.of(
            "now", "current_timestamp", "current_date", "current_time", "localtimestamp", "localtime",
            "sysdate", "systimestamp", "systime", "getdate", "curdate", "curtime", "unix_timestamp",
            "random", "rand", "uuid", "uuid_short", "gen_random_uuid", "random_uuid", "newid", "secure_rand",
            "nextval", "currval", "lastval", "setval", "last_insert_id", "identity", "scope_identity",
            "user", "session_user", "system_user", "database", "schema", "version", "h2version",
            "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday",
            "found_rows", "row_count", "connection_id", "session_id", "transaction_id", "sleep",
            "age", "txid_current", "inet_client_addr", "inet_server_addr", "disk_space_used",
            "memory_free", "memory_used", "lock_timeout", "readonly", "autocommit", "get_lock", "is_used_lock",
            // Derby, HSQLDB, SQLite
            "identity_val_local", "action_id", "sys_guid", "session_isolation_level", "database_isolation_level",
            "session_timezone", "database_timezone", "is_autocommit", "is_readonly_session", "is_readonly_database",
            "transaction_size", "isolation_level", "database_version", "randomblob", "changes", "total_changes",
            "last_insert_rowid", "sqlite_version");

    /**
     * SQLite's date and time functions read the clock when given 'now' or no argument at all ({@code date()}), which
     * cannot be told from the call's name: every call of them is treated as reading the clock.
     */
    private static final Set<String> SQLITE_CLOCK_FUNCTIONS = Set.of("date", "time", "datetime", "julianday", "strftime",
            "unixepoch", "timediff");

    /** Words that follow Derby's CURRENT (with a space) to name the session's or the clock's state. */
    private static final Set<String> AFTER_CURRENT = Set.of("date", "time", "timestamp", "schema", "sqlid", "isolation",
            "role", "user", "path");

    /** Name prefixes of non-deterministic function families. */
    private static final List<String> NON_DETERMINISTIC_PREFIXES = List.of("pg_", "uuid_generate_", "current_", "utc_", "random_");

    /** Niladic keywords that are non-deterministic without parentheses. */
    private static final Set<String> NON_DETERMINISTIC_BARE_WORDS = Set.of(
            "current_timestamp", "current_date", "current_time", "localtimestamp", "localtime", "sysdate",
            "systimestamp", "current_user", "session_user", "system_user", "current_role", "current_schema",
            "current_catalog", "current_path");

    /** Functions jOOQ may parse as plain calls that always give the same result for the same arguments. */
    private static final Set<String> DETERMINISTIC = Set.of(
            // string
            "lower", "upper", "lcase", "ucase", "initcap", "length", "char_length", "character_length", "octet_length",
            "bit_length", "trim", "ltrim", "rtrim", "btrim", "substring", "substr", "left", "right", "lpad", "rpad",
            "concat", "concat_ws", "replace", "translate", "reverse", "repeat", "position", "strpos", "instr", "locate",
            "split_part", "ascii", "chr", "char", "hex", "unhex", "md5", "sha1", "sha2", "format", "quote_ident",
            "quote_literal", "regexp_replace", "regexp_like", "regexp_substr", "regexp_instr", "regexp_matches",
            "regexp_split_to_array", "string_to_array", "array_to_string", "to_hex", "encode", "decode", "overlay",
            "starts_with", "ends_with", "space", "insert", "field", "find_in_set", "elt", "soundex", "difference",
            // numeric
            "abs", "ceil", "ceiling", "floor", "round", "trunc", "truncate", "mod", "power", "pow", "sqrt", "cbrt",
            "exp", "ln", "log", "log10", "log2", "sign", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "cot",
            "degrees", "radians", "pi", "div", "width_bucket", "bitand", "bitor", "bitxor", "bit_count",
            // conditional and conversion
            "coalesce", "nullif", "ifnull", "nvl", "nvl2", "isnull", "if", "iif", "greatest", "least", "cast",
            "convert", "to_char", "to_number", "to_date", "to_timestamp", "str_to_date", "date_format", "time_format",
            "from_unixtime", "choose", "decode_oracle",
            // date arithmetic on arguments
            "date", "time", "timestamp", "year", "month", "day", "dayofmonth", "dayofweek", "dayofyear", "hour",
            "minute", "second", "quarter", "week", "weekday", "weekofyear", "yearweek", "last_day", "date_trunc",
            "date_part", "extract", "datediff", "date_add", "date_sub", "adddate", "subdate", "addtime", "subtime",
            "timestampdiff", "timestampadd", "dateadd", "make_date", "make_timestamp", "make_interval",
            "justify_days", "justify_hours", "monthname", "dayname", "months_between", "add_months",
            // aggregates and windows
            "count", "sum", "avg", "min", "max", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop",
            "var_samp", "bool_and", "bool_or", "every", "bit_and", "bit_or", "string_agg", "array_agg", "listagg",
            "group_concat", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "json_arrayagg",
            "json_objectagg", "percentile_cont", "percentile_disc", "mode", "median", "any_value",
            "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
            "first_value", "last_value", "nth_value",
            // json and arrays
            "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array", "to_json", "to_jsonb",
            "json_extract", "json_unquote", "json_object", "json_array", "json_value", "json_query",
            "jsonb_extract_path", "jsonb_extract_path_text", "json_extract_path", "json_extract_path_text",
            "jsonb_set", "jsonb_typeof", "json_typeof", "jsonb_array_length", "json_array_length", "json_contains",
            "jsonb_array_elements", "json_array_elements", "jsonb_each", "json_each", "jsonb_strip_nulls",
            "array_length", "array_position", "array_append", "array_prepend", "array_cat", "array_remove",
            "array_contains", "cardinality", "unnest", "generate_series", "array", "row");

    private final boolean bareUserIsFunction;
    private final Set<String> familyNonDeterministic;
    /** HSQLDB's TODAY is CURRENT_DATE. */
    private final boolean bareTodayIsClock;

    FunctionPolicy(DatabaseFamily family) {
        // In MySQL "user" is an ordinary, unreserved name; elsewhere bare USER means the current user.
        this.bareUserIsFunction = !family.isMySqlLike();
        this.familyNonDeterministic = family == DatabaseFamily.SQLITE ? SQLITE_CLOCK_FUNCTIONS : Set.of();
        this.bareTodayIsClock = family == DatabaseFamily.HSQLDB;
    }

    private boolean blacklisted(String name) {
        return isBlacklisted(name) || familyNonDeterministic.contains(name);
    }

    /** Whether a query part visited while rendering is a function call that is not known to be deterministic. */
    boolean isNonDeterministic(QueryPart part) {
        if (part instanceof QOM.CurrentTimestamp || part instanceof QOM.CurrentDate || part instanceof QOM.CurrentTime
                || part instanceof QOM.Rand || part instanceof QOM.Uuid || part instanceof QOM.CurrentUser
                || part instanceof QOM.CurrentSchema || part instanceof QOM.CurrentCatalog) {
            return true;
        }
        if (!(part instanceof Field<?> field) || part instanceof TableField || part instanceof Param
                || part instanceof QOM.FieldAlias) {
            return false;
        }
        String name = field.getName().toLowerCase(Locale.ROOT);
        if (blacklisted(name)) {
            return true;
        }
        return PLAIN_FUNCTION_CLASSES.contains(part.getClass().getName()) && !DETERMINISTIC.contains(name);
    }

    /**
     * Whether a query part is a call of a function neither known to be deterministic nor known to be a built-in
     * without side effects: a user-defined function, or something like PostgreSQL's {@code set_config}. Calling it
     * may write tables or change the session, which the engine must assume.
     */
    boolean isUnknown(QueryPart part) {
        if (!(part instanceof Field<?> field) || !PLAIN_FUNCTION_CLASSES.contains(part.getClass().getName())) {
            return false;
        }
        String name = field.getName().toLowerCase(Locale.ROOT);
        return !DETERMINISTIC.contains(name) && !blacklisted(name);
    }

    /** Whether the tokens of a statement mention a non-deterministic function or session variable. */
    boolean mentionsNonDeterministic(List<Token> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.type() != Type.WORD) {
                continue;
            }
            String word = t.text().toLowerCase(Locale.ROOT);
            boolean qualified = i > 0 && tokens.get(i - 1).isSymbol('.');
            boolean call = i + 1 < tokens.size() && tokens.get(i + 1).isSymbol('(');
            if (word.startsWith("@")) {
                return true; // MySQL / H2 session variables
            }
            if (call && blacklisted(word)) {
                return true;
            }
            if (!qualified && word.equals("current") && i + 1 < tokens.size() && tokens.get(i + 1).type() == Type.WORD
                    && AFTER_CURRENT.contains(tokens.get(i + 1).text().toLowerCase(Locale.ROOT))) {
                return true; // Derby's CURRENT DATE, CURRENT SCHEMA ...
            }
            if (!qualified && bareTodayIsClock && word.equals("today")) {
                return true;
            }
            if (!qualified && (NON_DETERMINISTIC_BARE_WORDS.contains(word) || (bareUserIsFunction && word.equals("user")))) {
                return true;
            }
            if (word.equals("next") && i + 2 < tokens.size() && tokens.get(i + 1).isWord("VALUE") && tokens.get(i + 2).isWord("FOR")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a lower-case name is a built-in function known to this policy (deterministic or not): calling it
     * writes no table.
     */
    static boolean isKnownBuiltIn(String name) {
        return DETERMINISTIC.contains(name) || isBlacklisted(name);
    }

    private static boolean isBlacklisted(String name) {
        if (NON_DETERMINISTIC.contains(name)) {
            return true;
        }
        for (String prefix : NON_DETERMINISTIC_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
