package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.ColumnPin;
import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.analysis.KeySource;
import dev.sqlcache.internal.key.ArrayParameter;
import dev.sqlcache.internal.key.BoundParameters;
import dev.sqlcache.internal.key.ParameterType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Row-level version keys. When a statement pins a table's whole primary key to values it can name exactly, a read
 * depends on those rows' tokens (and the table's rows and inserts tokens) instead of the table's, and a write bumps
 * those rows' tokens (and the table's) instead of every row's. This class turns the analysis's key pins and the
 * table's primary key into, per execution, the keys' canonical values, or says that this execution falls back to
 * the table (a value it cannot name exactly, too many keys).
 *
 * <p>Which values name a key exactly is the heart of it: the database must match a row for exactly the values this
 * class treats as its key, or a write would bump another row's token than the one a read depends on. So only values
 * whose comparison with the column is plain equality are trusted: integers (and integral decimals) against integer
 * columns; strings against {@code varchar}/{@code text} columns whose collation compares byte for byte
 * ({@link ExactTextKeys}: a deterministic collation on PostgreSQL, {@code utf8mb4_nopad_bin} on MariaDB, no
 * database collation on H2; case- or accent-insensitive collations, PAD SPACE, {@code char(n)} and {@code citext}
 * are table-level); UUIDs against {@code uuid} columns. Anything else, and any NULL, makes the execution
 * table-level.
 */
final class RowKeys {

    /** Above this many keys per table and statement, the table's token is cheaper and safe: table-level. */
    static final int MAX_KEYS = 100;

    private final String databaseHash;
    private final DatabaseFamily family;

    RowKeys(String databaseHash, DatabaseFamily family) {
        this.databaseHash = databaseHash;
        this.family = family;
    }

    /**
     * How one table's key is pinned by a statement: per primary-key column, the sources of its values. Null when the
     * pins do not cover the whole key, or a key column's type is one whose values are never trusted.
     */
    static final class KeyPlan {
        final String table;
        final List<TableFacts.KeyColumn> columns;
        final List<List<KeySource>> sources;
        /**
         * The primary-key lookup (one key column pinned to one value, not an array): its one row key is built by
         * {@link #singleRowKey} as bytes, with no sets or lists.
         */
        final boolean single;

        KeyPlan(String table, List<TableFacts.KeyColumn> columns, List<List<KeySource>> sources) {
            this.table = table;
            this.columns = columns;
            this.sources = sources;
            this.single = columns.size() == 1 && sources.get(0).size() == 1
                    && !(sources.get(0).get(0) instanceof KeySource.ArrayBind);
        }
    }

    /** The key plan of a table from its pins and primary key, or null (table-level). */
    KeyPlan plan(String baseTable, List<ColumnPin> pins, List<TableFacts.KeyColumn> primaryKey) {
        if (pins == null || pins.isEmpty() || primaryKey.isEmpty()) {
            return null;
        }
        List<List<KeySource>> sources = new ArrayList<>(primaryKey.size());
        for (TableFacts.KeyColumn column : primaryKey) {
            if (kind(column) == null) {
                return null;
            }
            List<KeySource> found = null;
            for (ColumnPin pin : pins) {
                if (pin.column().equals(column.name())) {
                    if (found != null) {
                        return null; // pinned twice: the analysis should not report it, but never guess
                    }
                    found = pin.values();
                }
            }
            if (found == null) {
                return null;
            }
            sources.add(found);
        }
        return new KeyPlan(baseTable, List.copyOf(primaryKey), List.copyOf(sources));
    }

    /**
     * The version keys of the rows an execution pins, or null when this execution is table-level for the table (a
     * value it cannot name exactly, more than {@link #MAX_KEYS} keys, an unkeyable array).
     */
    String[] rowVersionKeys(KeyPlan plan, BoundParameters parameters) {
        if (plan.single) {
            // One key column pinned to one value, the lookup by primary key: no sets or lists for one key.
            byte[] key = singleRowKey(plan, parameters);
            return key == null ? null : new String[] {text(key)};
        }
        List<List<String>> values = new ArrayList<>(plan.columns.size());
        long combinations = 1;
        for (int c = 0; c < plan.columns.size(); c++) {
            TableFacts.KeyColumn column = plan.columns.get(c);
            Set<String> canonical = new LinkedHashSet<>();
            for (KeySource source : plan.sources.get(c)) {
                if (!addCanonical(canonical, source, column, parameters)) {
                    return null;
                }
            }
            if (canonical.isEmpty()) {
                return null;
            }
            combinations *= canonical.size();
            if (combinations > MAX_KEYS) {
                return null;
            }
            values.add(new ArrayList<>(canonical));
        }
        List<String> keys = new ArrayList<>((int) combinations);
        product(plan.table, values, 0, new String[values.size()], keys);
        return keys.toArray(String[]::new);
    }

    private boolean addCanonical(Set<String> out, KeySource source, TableFacts.KeyColumn column,
                                 BoundParameters parameters) {
        if (source instanceof KeySource.Literal literal) {
            return add(out, canonical(literal.value(), null, column));
        }
        if (parameters == null) {
            return false;
        }
        if (source instanceof KeySource.Bind bind) {
            return add(out, canonical(parameters.value(bind.index()), parameters.type(bind.index()), column));
        }
        if (source instanceof KeySource.ArrayBind arrayBind) {
            ArrayParameter array = parameters.array(arrayBind.index());
            if (array == null || array.elements().size() > MAX_KEYS) {
                return false;
            }
            for (Object element : array.elements()) {
                // A NULL element matches no row: it names no key.
                if (element != null) {
                    String value = canonical(element, null, column);
                    if (value == null) {
                        return false;
                    }
                    out.add(value);
                }
            }
            return true;
        }
        return false;
    }

    /** The canonical value of a literal or bound value; null when it names no key exactly (or is of another kind). */
    private String canonical(KeySource source, TableFacts.KeyColumn column, BoundParameters parameters) {
        if (source instanceof KeySource.Literal literal) {
            return canonical(literal.value(), null, column);
        }
        if (parameters != null && source instanceof KeySource.Bind bind) {
            return canonical(parameters.value(bind.index()), parameters.type(bind.index()), column);
        }
        return null;
    }

    private static boolean add(Set<String> out, String canonical) {
        if (canonical == null) {
            return false;
        }
        out.add(canonical);
        return true;
    }

    private void product(String table, List<List<String>> values, int column, String[] tuple, List<String> out) {
        if (column == values.size()) {
            out.add(versionKey(table, tuple));
            return;
        }
        for (String value : values.get(column)) {
            tuple[column] = value;
            product(table, values, column + 1, tuple, out);
        }
    }

    /**
     * The version key of one row named by its primary key's values (a change feed's row), or null when a value
     * cannot be named exactly as a read's or a write's bound value of that column would be.
     *
     * @param key    the primary key's columns in key order
     * @param values the row's values of them, in the same order
     */
    String rowVersionKey(String table, List<TableFacts.KeyColumn> key, List<Object> values) {
        if (key.isEmpty() || key.size() != values.size()) {
            return null;
        }
        String[] tuple = new String[key.size()];
        for (int i = 0; i < tuple.length; i++) {
            tuple[i] = canonical(values.get(i), null, key.get(i));
            if (tuple[i] == null) {
                return null;
            }
        }
        return versionKey(table, tuple);
    }

    /**
     * The version key of the one row a {@link KeyPlan#single} plan pins, as UTF-8 (what the store sends: a hit encodes
     * it no more), or null when this execution is table-level. Its text, {@link #text}, is what
     * {@link #versionKey(String, String[])} gives for the same value: one row is one key on every path.
     */
    byte[] singleRowKey(KeyPlan plan, BoundParameters parameters) {
        String value = canonical(plan.sources.get(0).get(0), plan.columns.get(0), parameters);
        if (value == null) {
            return null;
        }
        MessageDigest digest = sha256();
        digest.update(value.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        return rowKey(plan.table, digest);
    }

    /**
     * The version key of one row. The values are hashed: bound values never appear in keys.
     */
    String versionKey(String table, String[] tuple) {
        MessageDigest digest = sha256();
        for (String value : tuple) {
            digest.update(value.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        return text(rowKey(table, digest));
    }

    /** A row key's text from its UTF-8 (made from a Java string's UTF-8, so it decodes to that string again). */
    static String text(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    /**
     * {@code sql:<table>:version:<database>:k:<first 16 bytes of the digest in lower-case hex>} as UTF-8, written
     * straight into one array from the table's prefix (encoded once per table) rather than concatenated as text and
     * encoded again for every lookup. The digest's output goes to a per-thread buffer, not a new array.
     */
    private byte[] rowKey(String table, MessageDigest digest) {
        byte[] hash = HASH.get();
        try {
            digest.digest(hash, 0, hash.length);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-256 gives 32 bytes", e);
        }
        byte[] prefix = prefix(table);
        byte[] key = Arrays.copyOf(prefix, prefix.length + 2 * HASHED_BYTES);
        for (int i = 0, at = prefix.length; i < HASHED_BYTES; i++) {
            key[at++] = HEX_DIGITS[(hash[i] >> 4) & 0xf];
            key[at++] = HEX_DIGITS[hash[i] & 0xf];
        }
        return key;
    }

    /** The bytes of the digest a row key keeps: 16 of SHA-256's 32, as 32 hex digits. */
    private static final int HASHED_BYTES = 16;
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<byte[]> HASH = ThreadLocal.withInitial(() -> new byte[32]);

    /** Each table's row-key prefix as UTF-8; a table's name is fixed for the engine's life, and tables are few. */
    private final java.util.concurrent.ConcurrentHashMap<String, byte[]> prefixes =
            new java.util.concurrent.ConcurrentHashMap<>();

    private byte[] prefix(String table) {
        byte[] known = prefixes.get(table);
        if (known == null) {
            known = ("sql:" + table + ":version:" + databaseHash + ":k:").getBytes(StandardCharsets.UTF_8);
            if (prefixes.size() < MAX_PREFIXES) {
                prefixes.put(table, known);
            }
        }
        return known;
    }

    /** Bounds {@link #prefixes}: past it (a schema of thousands of tables) a prefix is encoded per key, as before. */
    private static final int MAX_PREFIXES = 4096;

    /** What the values of a key column may be compared as; null when none is trusted. */
    private enum KeyKind { INTEGER, TEXT, UUID }

    private KeyKind kind(TableFacts.KeyColumn column) {
        switch (column.jdbcType()) {
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT:
                return KeyKind.INTEGER;
            case Types.VARCHAR, Types.NVARCHAR, Types.LONGVARCHAR, Types.LONGNVARCHAR:
                // Exact only under the column's collation as the schema facts learned it: the same rule for reads,
                // writes and the change feed, so that one row is always one token.
                return column.exactText() && ExactTextKeys.plainText(column.typeName()) ? KeyKind.TEXT : null;
            default:
                return column.typeName().equalsIgnoreCase("uuid")
                        && (family == DatabaseFamily.POSTGRES || family == DatabaseFamily.H2) ? KeyKind.UUID : null;
        }
    }

    /** The canonical form of a value for a key column, or null when it cannot be trusted to name a row exactly. */
    private String canonical(Object value, ParameterType type, TableFacts.KeyColumn column) {
        if (value == null) {
            return null;
        }
        KeyKind kind = kind(column);
        if (kind == null) {
            return null;
        }
        if (type != null && !trustedBinding(type, kind)) {
            return null;
        }
        if (type == ParameterType.NSTRING && family.isMySqlLike()) {
            // A driver may send it as N'...', in the national character set (utf8mb3), which may not hold it.
            return null;
        }
        switch (kind) {
            case INTEGER:
                if (value instanceof Long || value instanceof Integer || value instanceof Short
                        || value instanceof Byte || value instanceof BigInteger) {
                    return "i" + value;
                }
                if (value instanceof BigDecimal decimal) {
                    BigDecimal stripped = decimal.stripTrailingZeros();
                    return stripped.scale() <= 0 ? "i" + stripped.toBigInteger() : null;
                }
                return null;
            case TEXT:
                return value instanceof String text ? "s" + text : null;
            case UUID:
                return value instanceof UUID uuid ? "u" + uuid : null;
            default:
                return null;
        }
    }

    /** The setters whose values the database compares with a key column as they are. */
    private static boolean trustedBinding(ParameterType type, KeyKind kind) {
        return switch (kind) {
            case INTEGER -> type == ParameterType.BYTE || type == ParameterType.SHORT || type == ParameterType.INT
                    || type == ParameterType.LONG || type == ParameterType.BIG_INTEGER
                    || type == ParameterType.BIG_DECIMAL;
            case TEXT -> type == ParameterType.STRING || type == ParameterType.NSTRING;
            case UUID -> type == ParameterType.UUID;
        };
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    });

    private static MessageDigest sha256() {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return digest;
    }
}
