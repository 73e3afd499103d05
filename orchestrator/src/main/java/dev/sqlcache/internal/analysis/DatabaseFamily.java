package dev.sqlcache.internal.analysis;

import org.jooq.SQLDialect;

import java.util.Locale;

/**
 * The kind of database behind the proxied connection, as far as SQL syntax is concerned. It selects the jOOQ
 * dialect used to parse and render statements and the lexical rules (comment and quoting syntax) of the
 * keyword sniffing done before parsing.
 */
public enum DatabaseFamily {
    H2(SQLDialect.H2),
    POSTGRES(SQLDialect.POSTGRES),
    MYSQL(SQLDialect.MYSQL),
    MARIADB(SQLDialect.MARIADB),
    HSQLDB(SQLDialect.HSQLDB),
    /** Apache Derby, embedded or through its network client. */
    DERBY(SQLDialect.DERBY),
    /** SQLite through the xerial driver. */
    SQLITE(SQLDialect.SQLITE),
    /** Anything else: parsed with jOOQ's dialect-neutral grammar. */
    OTHER(SQLDialect.DEFAULT);

    private final SQLDialect dialect;

    DatabaseFamily(SQLDialect dialect) {
        this.dialect = dialect;
    }

    /**
     * The family of the real database a JDBC URL points to.
     *
     * @param realUrl the URL of the real database (not the proxy's URL), may be {@code null}
     * @return the family, {@link #OTHER} when the URL is {@code null} or of an unknown driver
     */
    public static DatabaseFamily fromJdbcUrl(String realUrl) {
        if (realUrl == null) {
            return OTHER;
        }
        String url = realUrl.strip().toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRES;
        }
        // Connector/J also knows jdbc:mysql+srv:, jdbc:mysql:loadbalance: and jdbc:mysql:replication:.
        if (url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mysql+")) {
            return MYSQL;
        }
        if (url.startsWith("jdbc:mariadb:")) {
            return MARIADB;
        }
        if (url.startsWith("jdbc:hsqldb:")) {
            return HSQLDB;
        }
        if (url.startsWith("jdbc:derby:")) {
            return DERBY;
        }
        if (url.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        return OTHER;
    }

    /** The jOOQ dialect used to parse and render this family's SQL. */
    public SQLDialect dialect() {
        return dialect;
    }

    /**
     * Whether sqlcache has a catalog query for this family's triggers. Where it has none, every table may have a
     * trigger that writes any other table, so every write invalidates the whole database.
     */
    public boolean listsTriggers() {
        return this != OTHER;
    }

    /**
     * Whether DDL commits the open transaction (MySQL, MariaDB, H2, HSQLDB). PostgreSQL, Derby and SQLite run DDL
     * inside the transaction; so is an unknown database assumed to, which keeps its writes' leases until the
     * transaction ends (if it did commit, the leases only keep the cache away a little longer).
     */
    public boolean ddlCommitsTransaction() {
        return this == H2 || this == MYSQL || this == MARIADB || this == HSQLDB;
    }

    /**
     * Whether a differential test has checked every getter of a cached result against this family's driver (H2,
     * pgjdbc, MariaDB Connector/J; MySQL's Connector/J is taken to follow MariaDB's). For the others a hit answers
     * only the getters that read a column as its own class, and hands conversions over to the driver.
     */
    public boolean gettersVerified() {
        return this == H2 || this == POSTGRES || this == MYSQL || this == MARIADB;
    }

    /**
     * Whether a statement's warnings are its own: what another statement of the connection runs never shows in its
     * getWarnings() (pgjdbc, H2). Not MariaDB's Connector/J (nor MySQL's): a statement's getWarnings() asks the server
     * for the warnings of the connection's last command, whichever statement ran it, and its clearWarnings() zeroes
     * the connection's count. Not assumed for the others.
     */
    public boolean warningsPerStatement() {
        return this == H2 || this == POSTGRES;
    }

    /** MySQL and MariaDB share lexical rules that differ from standard SQL ({@code #} comments, backslash escapes). */
    public boolean isMySqlLike() {
        return this == MYSQL || this == MARIADB;
    }
}
