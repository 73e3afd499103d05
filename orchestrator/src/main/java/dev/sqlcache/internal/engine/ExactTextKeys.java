package dev.sqlcache.internal.engine;

import java.util.Locale;

/**
 * The one rule for whether a text key column is compared byte for byte, so that two strings name the same row
 * exactly when they are equal in Java: only then may a read's and a write's bound strings be hashed into row tokens
 * ({@link RowKeys}), and a change feed's key text likewise. Under any other comparison, {@code 'abc'} and
 * {@code 'ABC'}, or {@code 'abc'} and {@code 'abc '}, may be one row hashed as two, and a write through one would
 * leave a read through the other stale: such columns are table-level.
 *
 * <ul>
 *   <li>PostgreSQL: {@code text} or {@code varchar} under a deterministic collation (every built-in libc collation,
 *   {@code C}, and ICU collations not created with {@code deterministic = false}; ties are broken byte-wise), in a
 *   UTF-8 database (as the change feed decodes it). Not {@code char(n)} (padding), {@code citext}, domains.</li>
 *   <li>MariaDB: {@code varchar}/{@code text} in {@code utf8mb4} under a {@code _nopad_bin} collation. The
 *   {@code _bin} ones are byte-wise but PAD SPACE ({@code 'abc' = 'abc '}); the default ones ({@code _general_ci},
 *   {@code _unicode_ci}, ...) ignore case and accents too; another character set may turn what it cannot hold into
 *   {@code ?}.</li>
 *   <li>H2: {@code varchar} while the database collation is off (the default); {@code SET COLLATION} makes every
 *   comparison follow it, and {@code VARCHAR_IGNORECASE} is another type name.</li>
 *   <li>MySQL (the connection's character set may be one that loses characters), HSQLDB, Derby, SQLite and unknown
 *   databases: never.</li>
 * </ul>
 */
public final class ExactTextKeys {

    private ExactTextKeys() {
    }

    /** Whether the type is plain variable-length text, as the metadata or the catalog names it (not padded, not folded). */
    public static boolean plainText(String typeName) {
        String type = typeName.toLowerCase(Locale.ROOT);
        return type.equals("varchar") || type.equals("text") || type.equals("character varying");
    }

    /**
     * PostgreSQL.
     *
     * @param typeName      the column's type ({@code pg_type.typname} or the metadata's {@code TYPE_NAME})
     * @param deterministic {@code pg_collation.collisdeterministic} of the column's collation (true when it has none)
     * @param utf8          whether the database's encoding is UTF-8
     */
    public static boolean postgres(String typeName, boolean deterministic, boolean utf8) {
        return plainText(typeName) && deterministic && utf8;
    }

    /**
     * MariaDB.
     *
     * @param typeName  the metadata's {@code TYPE_NAME}
     * @param charset   {@code information_schema.COLUMNS.CHARACTER_SET_NAME}
     * @param collation {@code information_schema.COLUMNS.COLLATION_NAME}
     */
    public static boolean mariaDb(String typeName, String charset, String collation) {
        return plainText(typeName) && "utf8mb4".equalsIgnoreCase(charset) && collation != null
                && collation.toLowerCase(Locale.ROOT).equals("utf8mb4_nopad_bin");
    }

    /**
     * H2.
     *
     * @param typeName          the metadata's {@code TYPE_NAME}
     * @param databaseCollation the {@code COLLATION} setting ({@code OFF} unless {@code SET COLLATION} changed it)
     */
    public static boolean h2(String typeName, String databaseCollation) {
        return plainText(typeName) && "OFF".equalsIgnoreCase(databaseCollation);
    }
}
