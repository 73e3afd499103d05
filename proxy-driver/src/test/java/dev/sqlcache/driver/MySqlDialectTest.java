package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MySQL's SQL on a real MariaDB: string literals with backslash escapes (and without, under NO_BACKSLASH_ESCAPES)
 * are cached and answer as the database does.
 */
class MySqlDialectTest extends RedisBackedTest {

    private static final TestDatabase DB = TestDatabase.MARIADB;

    private static void names(Connection direct) throws Exception {
        exec(direct, "drop table if exists dl_name",
                "create table dl_name (id int primary key, name varchar(40))");
        try (PreparedStatement ps = direct.prepareStatement("insert into dl_name values (?, ?)")) {
            String[] names = {"O'Brien", "a\\b", "a\\\\b", "50%", "50x", "x_y", "xzy", "it's; here"};
            for (int i = 0; i < names.length; i++) {
                ps.setInt(1, i + 1);
                ps.setString(2, names[i]);
                ps.executeUpdate();
            }
        }
    }

    /** Runs a query through the cache twice: both answers equal the database's, and the second is a hit. */
    private static void cachedTwice(Connection cached, Connection direct, String sql) throws Exception {
        List<List<String>> expected = rows(direct, sql);
        assertEquals(expected, rows(cached, sql), sql);
        long hits = stats(cached).hits();
        assertEquals(expected, rows(cached, sql), sql);
        assertEquals(hits + 1, stats(cached).hits(), "served from the cache: " + sql);
    }

    @Test
    void literalsWithBackslashEscapesAreCachedAndAnswerAsTheDatabase() throws Exception {
        try (Connection direct = DB.direct(); Connection cached = DB.cached(settings())) {
            names(direct);
            cachedTwice(cached, direct, "select id from dl_name where name = 'O\\'Brien'");
            cachedTwice(cached, direct, "select id from dl_name where name = 'a\\\\b' order by id");
            cachedTwice(cached, direct, "select id from dl_name where name = 'a\\\\\\\\b' order by id");
            cachedTwice(cached, direct, "select id from dl_name where name like '50\\%' order by id");
            cachedTwice(cached, direct, "select id from dl_name where name like 'x\\_y' order by id");
            cachedTwice(cached, direct, "select id from dl_name where name = 'it\\'s; here'");
            cachedTwice(cached, direct, "select id, name from dl_name where name <> 'O\\'Brien' order by id");
        }
    }

    /** Hibernate's MySQL dialects escape LIKE patterns with a backslash: {@code like ? escape '\\'}. */
    @Test
    void hibernatesLikeEscapeIsCached() throws Exception {
        String sql = "select d1_0.id, d1_0.name from dl_name d1_0 where d1_0.name like ? escape '\\\\' order by d1_0.id";
        try (Connection direct = DB.direct(); Connection cached = DB.cached(settings())) {
            names(direct);
            for (String pattern : List.of("50\\%", "x\\_y", "O%", "a\\\\%", "50\\%")) {
                List<List<String>> expected = like(direct, sql, pattern);
                assertEquals(expected, like(cached, sql, pattern), pattern);
                long hits = stats(cached).hits();
                assertEquals(expected, like(cached, sql, pattern), pattern);
                assertEquals(hits + 1, stats(cached).hits(), "served from the cache: " + pattern);
            }
            assertEquals(0, stats(cached).bypasses(BypassReason.UNPARSEABLE));
        }
    }

    private static List<List<String>> like(Connection c, String sql, String pattern) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, pattern);
            try (ResultSet rs = ps.executeQuery()) {
                return rows(rs);
            }
        }
    }

    /**
     * With NO_BACKSLASH_ESCAPES the same text is another statement: 'a\\b' is a, two backslashes, b. The session's
     * mode is learned when it changes, and its texts never share an entry with a session that reads escapes.
     */
    @Test
    void noBackslashEscapesIsFollowed() throws Exception {
        String sql = "select id from dl_name where name = 'a\\\\b'";
        try (Connection direct = DB.direct(); Connection escapes = DB.cached(settings());
             Connection literal = DB.cached(settings())) {
            names(direct);
            cachedTwice(escapes, direct, sql);
            assertEquals(List.of(List.of("2")), rows(escapes, sql));
            exec(literal, "set session sql_mode = concat(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
            exec(direct, "set session sql_mode = concat(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
            cachedTwice(literal, direct, sql);
            assertEquals(List.of(List.of("3")), rows(literal, sql));
            // A literal that ends at a backslash in this mode, and a write the other mode would read as a literal.
            cachedTwice(literal, direct, "select id from dl_name where name = 'a\\' or name = 'xzy' order by id");
            // Read with escapes, this would be one literal and dl_other would not be a table the query depends on.
            exec(direct, "drop table if exists dl_other", "create table dl_other (v int)", "insert into dl_other values (100)");
            String union = "select id from dl_name where name = 'x\\' union select v from dl_other -- '";
            cachedTwice(literal, direct, union);
            exec(literal, "update dl_other set v = 101");
            assertEquals(rows(direct, union), rows(literal, union), "the write to dl_other is seen");
            exec(literal, "set session sql_mode = replace(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')");
            assertEquals(List.of(List.of("2")), rows(literal, sql), "escapes again after the mode is reset");
        }
    }

    /** The mode set when the connection opens (here by the driver's sessionVariables) is read once, at connect. */
    @Test
    void noBackslashEscapesFromTheStartIsFollowed() throws Exception {
        String sql = "select id from dl_name where name = 'a\\\\b'";
        try (Connection direct = DB.direct(); Connection escapes = DB.cached(settings());
             Connection literal = DB.cached(settings("sessionVariables", "sql_mode='NO_BACKSLASH_ESCAPES'"))) {
            names(direct);
            cachedTwice(escapes, direct, sql);
            List<List<String>> rows = rows(literal, sql);
            assertEquals(List.of(List.of("3")), rows);
            long hits = stats(literal).hits();
            assertEquals(rows, rows(literal, sql));
            assertTrue(stats(literal).hits() > hits, "cached in its own mode");
        }
    }
}
