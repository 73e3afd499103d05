package dev.sqlcache.driver;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A text key is key-level only when the database compares it byte for byte: under a collation where another
 * string names the same row ({@code 'ABC'} for {@code 'abc'}, {@code 'abc '} for {@code 'abc'}), a write through
 * one spelling must reach a read through the other. Where the comparison is exact, a write to one row still leaves
 * another row's answer cached.
 */
class KeyCollationTest extends RedisBackedTest {

    /**
     * Each test has a table of its own: schema facts (the key's collation among them) are remembered by the JVM
     * for minutes, so a table created again under another collation would be judged by the old facts.
     */
    private String table;

    private List<List<String>> read(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select v from " + table + " where k = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rows(rs);
            }
        }
    }

    private void write(Connection c, int value, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update " + table + " set v = ? where k = ?")) {
            ps.setInt(1, value);
            ps.setString(2, key);
            assertEquals(1, ps.executeUpdate(), "the write names an existing row");
        }
    }

    /** Whether a read through the cache is a hit; its answer must equal the database's either way. */
    private boolean readIsHit(Connection cached, Connection direct, String key) throws SQLException {
        long hits = stats(cached).hits();
        assertEquals(read(direct, key), read(cached, key), "'" + key + "' reads as the database");
        return stats(cached).hits() > hits;
    }

    /** 'abc' and 'xyz' cached, the row written through {@code writtenAs}, 'abc' read again. */
    private void writeThroughAnotherSpelling(Connection direct, Connection cached, String writtenAs)
            throws SQLException {
        exec(direct, "insert into " + table + " values ('abc', 1)", "insert into " + table + " values ('xyz', 2)");
        for (int i = 0; i < 2; i++) {
            readIsHit(cached, direct, "abc");
        }
        assertEquals(true, readIsHit(cached, direct, "abc"), "the read is cached");
        write(cached, 5, writtenAs);
        assertEquals(List.of(List.of("5")), read(direct, "abc"), "the database found row 'abc' through '"
                + writtenAs + "'");
        assertEquals(List.of(List.of("5")), read(cached, "abc"), "the cache is not stale");
    }

    /** 'a' and 'b' cached, row 'a' written: row 'b' is still a hit, row 'a' is read again. */
    private void staysKeyLevel(Connection direct, Connection cached) throws SQLException {
        exec(direct, "insert into " + table + " values ('a', 1)", "insert into " + table + " values ('b', 2)");
        for (String key : List.of("a", "b", "a", "b")) {
            readIsHit(cached, direct, key);
        }
        write(cached, 7, "a");
        assertEquals(false, readIsHit(cached, direct, "a"), "the written row is read again");
        assertEquals(true, readIsHit(cached, direct, "b"), "another row stays cached");
    }

    @Test
    void postgresNonDeterministicCollationIsTableLevel() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            table = "kc_icu";
            exec(direct, "drop table if exists " + table);
            boolean icu;
            try {
                exec(direct, "create collation if not exists kc_ci"
                        + " (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
                icu = true;
            } catch (SQLException e) {
                icu = false;
            }
            assumeTrue(icu, "PostgreSQL was built without ICU: no non-deterministic collation can be created");
            exec(direct, "create table " + table + " (k text collate kc_ci primary key, v int)");
            writeThroughAnotherSpelling(direct, cached, "ABC");
        }
    }

    @Test
    void postgresDefaultCollationStaysKeyLevel() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            table = "kc_pg_default";
            exec(direct, "drop table if exists " + table, "create table " + table + " (k varchar(10) primary key, v int)");
            staysKeyLevel(direct, cached);
        }
    }

    @Test
    void mariaDbCaseInsensitiveCollationIsTableLevel() throws Exception {
        mariaDb("utf8mb4_general_ci", "ABC");
    }

    @Test
    void mariaDbAccentInsensitiveCollationIsTableLevel() throws Exception {
        mariaDb("utf8mb4_unicode_ci", "ÀBÇ");
    }

    /** PAD SPACE: even a byte-wise {@code _bin} collation ignores trailing spaces. */
    @Test
    void mariaDbPadSpaceBinaryCollationIsTableLevel() throws Exception {
        mariaDb("utf8mb4_bin", "abc ");
    }

    private void mariaDb(String collation, String writtenAs) throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            table = "kc_" + collation;
            exec(direct, "drop table if exists " + table, "create table " + table + " (k varchar(10) character set"
                    + " utf8mb4 collate " + collation + " primary key, v int)");
            writeThroughAnotherSpelling(direct, cached, writtenAs);
        }
    }

    @Test
    void mariaDbNoPadBinaryCollationStaysKeyLevel() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            table = "kc_utf8mb4_nopad_bin";
            exec(direct, "drop table if exists " + table, "create table " + table + " (k varchar(10) character set"
                    + " utf8mb4 collate utf8mb4_nopad_bin primary key, v int)");
            staysKeyLevel(direct, cached);
        }
    }

    /** H2's database collation applies to every comparison; a fresh database, since it can only be set empty. */
    @Test
    void h2DatabaseCollationIsTableLevel() throws Exception {
        try (Connection direct = h2(true, true); Connection cached = h2(false, false)) {
            table = "kc_item";
            exec(direct, "create table " + table + " (k varchar(10) primary key, v int)");
            writeThroughAnotherSpelling(direct, cached, "ABC");
        }
    }

    @Test
    void h2WithoutCollationStaysKeyLevel() throws Exception {
        try (Connection direct = h2(true, false); Connection cached = h2(false, false)) {
            table = "kc_item";
            exec(direct, "create table " + table + " (k varchar(10) primary key, v int)");
            staysKeyLevel(direct, cached);
        }
    }

    private String h2Name;

    /** The first call creates a fresh H2 database (with a case-insensitive collation if asked); the second reuses it. */
    private Connection h2(boolean direct, boolean caseInsensitive) throws SQLException {
        if (direct) {
            h2Name = "kc_" + UUID.randomUUID().toString().replace("-", "");
        }
        String url = "h2:mem:" + h2Name + ";DB_CLOSE_DELAY=-1";
        Properties properties = direct ? new Properties() : settings();
        properties.setProperty("user", "sa");
        properties.setProperty("password", "");
        Connection connection = DriverManager.getConnection((direct ? "jdbc:" : "jdbc:sqlcache:") + url, properties);
        if (direct && caseInsensitive) {
            exec(connection, "set collation english strength primary");
        }
        return connection;
    }
}
