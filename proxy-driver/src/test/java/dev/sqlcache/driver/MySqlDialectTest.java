package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void literalsWithBackslashEscapesAreCachedAndAnswerAsTheDatabase() throws Exception {
        try (Connection direct = DB.direct(); Connection cached = DB.cached(settings())) {
            names(direct);
            untilHit(cached, direct, "select id from dl_name where name = 'O\\'Brien'");
            untilHit(cached, direct, "select id from dl_name where name = 'a\\\\b' order by id");
            untilHit(cached, direct, "select id from dl_name where name = 'a\\\\\\\\b' order by id");
            untilHit(cached, direct, "select id from dl_name where name like '50\\%' order by id");
            untilHit(cached, direct, "select id from dl_name where name like 'x\\_y' order by id");
            untilHit(cached, direct, "select id from dl_name where name = 'it\\'s; here'");
            untilHit(cached, direct, "select id, name from dl_name where name <> 'O\\'Brien' order by id");
        }
    }

    /** Hibernate's MySQL dialects escape LIKE patterns with a backslash: {@code like ? escape '\\'}. */
    @Test
    void hibernatesLikeEscapeIsCached() throws Exception {
        String sql = "select d1_0.id, d1_0.name from dl_name d1_0 where d1_0.name like ? escape '\\\\' order by d1_0.id";
        try (Connection direct = DB.direct(); Connection cached = DB.cached(settings())) {
            names(direct);
            for (String pattern : List.of("50\\%", "x\\_y", "O%", "a\\\\%", "50\\%")) {
                untilHit(cached, "served from the cache: " + pattern, () -> like(direct, sql, pattern),
                        () -> like(cached, sql, pattern));
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
            untilHit(escapes, direct, sql);
            assertEquals(List.of(List.of("2")), rows(escapes, sql));
            exec(literal, "set session sql_mode = concat(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
            exec(direct, "set session sql_mode = concat(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
            untilHit(literal, direct, sql);
            assertEquals(List.of(List.of("3")), rows(literal, sql));
            // A literal that ends at a backslash in this mode, and a write the other mode would read as a literal.
            untilHit(literal, direct, "select id from dl_name where name = 'a\\' or name = 'xzy' order by id");
            // Read with escapes, this would be one literal and dl_other would not be a table the query depends on.
            exec(direct, "drop table if exists dl_other", "create table dl_other (v int)", "insert into dl_other values (100)");
            String union = "select id from dl_name where name = 'x\\' union select v from dl_other -- '";
            untilHit(literal, direct, union);
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
            untilHit(escapes, direct, sql);
            assertEquals(List.of(List.of("3")), rows(literal, sql));
            untilHit(literal, "cached in its own mode", () -> List.of(List.of("3")), () -> rows(literal, sql));
        }
    }

    // ---- writes

    private static void writeSchema(Connection direct) throws Exception {
        exec(direct, "drop table if exists dl_child", "drop table if exists dl_parent", "drop table if exists dl_a",
                "drop table if exists dl_b", "drop table if exists dl_c", "drop table if exists dl_p",
                "create table dl_a (id int primary key, v int)", "create table dl_b (id int primary key, w int)",
                "create table dl_c (id int primary key, x int)",
                "create table dl_p (id int primary key, v int) partition by hash(id) partitions 2",
                "create table dl_parent (id int primary key, name varchar(20))",
                "create table dl_child (id int primary key, parent_id int,"
                        + " foreign key (parent_id) references dl_parent (id) on delete cascade)",
                "insert into dl_a values (1, 10), (2, 20)", "insert into dl_b values (1, 100), (2, 200)",
                "insert into dl_c values (1, 1)", "insert into dl_p values (2, 1), (3, 1)",
                "insert into dl_parent values (1, 'one'), (2, 'two')", "insert into dl_child values (1, 1), (2, 1), (3, 2)");
    }

    private static final List<String> READS = List.of("select id, v from dl_a order by id", "select id, w from dl_b order by id",
            "select id, x from dl_c order by id", "select id, v from dl_p order by id",
            "select id, name from dl_parent order by id", "select id, parent_id from dl_child order by id");

    /** Reads each query through the cache and checks it against the database; returns the ones served as hits. */
    private static List<String> readAll(Connection cached, Connection direct) throws Exception {
        List<String> hits = new java.util.ArrayList<>();
        for (String sql : READS) {
            long before = stats(cached).hits();
            assertEquals(rows(direct, sql), rows(cached, sql), sql);
            if (stats(cached).hits() > before) {
                hits.add(sql.substring(sql.indexOf(" from ") + 6, sql.indexOf(" order")));
            }
        }
        return hits;
    }

    /**
     * Each write runs through the cache; afterwards every read equals the database's (what it changed is not served
     * stale) and the tables it cannot have changed are still served from the cache (it did not invalidate the
     * whole database).
     */
    private static void writeInvalidates(String write, String... untouched) throws Exception {
        flushCaches(); // the schema is made again behind the cache's back
        try (Connection direct = DB.direct(); Connection cached = DB.cached(settings())) {
            writeSchema(direct);
            for (String sql : READS) {
                untilHit(cached, direct, sql);
            }
            exec(cached, write);
            List<String> hits = readAll(cached, direct);
            assertEquals(List.of(untouched), hits, "still cached after " + write);
        }
    }

    @Test
    void insertIgnoreInvalidatesItsTable() throws Exception {
        writeInvalidates("insert ignore into dl_a (id, v) values (1, 0), (3, 30)", "dl_b", "dl_c", "dl_p", "dl_parent", "dl_child");
    }

    /** jOOQ reads UPDATE IGNORE t as an update of a table named "ignore". */
    @Test
    void updateIgnoreInvalidatesItsTable() throws Exception {
        writeInvalidates("update ignore dl_a set v = 11 where id = 1", "dl_b", "dl_c", "dl_p", "dl_parent", "dl_child");
        writeInvalidates("delete low_priority quick ignore from `dl_a` where `id` = 2 order by id limit 1",
                "dl_b", "dl_c", "dl_p", "dl_parent", "dl_child");
    }

    /** REPLACE deletes the conflicting row before inserting: its ON DELETE CASCADE empties children too. */
    @Test
    void replaceInvalidatesWhatItsDeleteCascadesTo() throws Exception {
        writeInvalidates("replace into dl_parent (id, name) values (1, 'uno')", "dl_a", "dl_b", "dl_c", "dl_p");
    }

    @Test
    void onDuplicateKeyUpdateInvalidatesItsTable() throws Exception {
        writeInvalidates("insert into dl_b (id, w) values (1, 1) on duplicate key update w = w + 1",
                "dl_a", "dl_c", "dl_p", "dl_parent", "dl_child");
    }

    /** jOOQ cannot parse INSERT ... PARTITION (p) (columns): its one target is certain from its shape. */
    @Test
    void anUnparseableSingleTableWriteInvalidatesItsTableOnly() throws Exception {
        writeInvalidates("insert into dl_p partition (p0) (id, v) values (4, 7)", "dl_a", "dl_b", "dl_c", "dl_parent", "dl_child");
    }

    @Test
    void aMultiTableUpdateInvalidatesEveryTableItNames() throws Exception {
        writeInvalidates("update dl_a, dl_b set dl_a.v = dl_a.v + 1, dl_b.w = dl_b.w + 1 where dl_a.id = dl_b.id",
                "dl_c", "dl_p", "dl_parent", "dl_child");
    }

    /** jOOQ reports the alias a as the table written, not dl_a. */
    @Test
    void aMultiTableDeleteThroughAliasesInvalidatesTheTablesBehindThem() throws Exception {
        writeInvalidates("delete a from dl_a as a join dl_b as b on a.id = b.id where b.w > 150",
                "dl_c", "dl_p", "dl_parent", "dl_child");
        writeInvalidates("delete dl_a, dl_b from dl_a join dl_b on dl_a.id = dl_b.id where dl_b.w > 150",
                "dl_c", "dl_p", "dl_parent", "dl_child");
    }

    /** A write whose target is uncertain still invalidates everything cached for the database. */
    @Test
    void anUncertainWriteInvalidatesTheWholeDatabase() throws Exception {
        try (Connection direct = DB.direct()) {
            exec(direct, "drop function if exists dl_f", "create function dl_f(x int) returns int deterministic return x + 1");
        }
        writeInvalidates("insert into dl_p partition (p0) (id, v) values (4, dl_f(1))");
    }

    /** A parsed write that calls a function nothing is known about: the function may write any table. */
    @Test
    void aWriteCallingAnUnknownFunctionInvalidatesTheWholeDatabase() throws Exception {
        try (Connection direct = DB.direct()) {
            exec(direct, "drop function if exists dl_touch", "create function dl_touch(a int) returns int modifies sql data"
                    + " begin update dl_c set x = x + 1; return a; end");
        }
        writeInvalidates("update dl_a set v = dl_touch(v) where id = 1");
    }
}
