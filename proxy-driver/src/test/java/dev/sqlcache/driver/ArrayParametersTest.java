package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Array parameters ({@code setArray}, {@code setObject} with a Java array) are keyed by their base type and every
 * element, so {@code = ANY(?)} and {@code <> ALL(?)} queries are cached, each array with its own entry (Hibernate's
 * batch fetches bind one array). Real databases, real Redis.
 */
class ArrayParametersTest extends RedisBackedTest {

    private static final String BY_IDS = "select name from array_items where id = any(?) order by id";

    private static void createItems(Connection c) throws SQLException {
        exec(c, "drop table if exists array_items",
                "create table array_items (id integer primary key, name varchar(40) not null)",
                "insert into array_items values (1, 'apple')", "insert into array_items values (2, 'pear')",
                "insert into array_items values (3, 'fig')", "insert into array_items values (4, 'kiwi')");
    }

    private static String intType(TestDatabase db) {
        return db == TestDatabase.POSTGRES ? "int4" : "INTEGER";
    }

    private static List<List<String>> names(String... names) {
        return java.util.Arrays.stream(names).map(List::of).toList();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void anyOfAnArrayIsCachedWithAnEntryPerArray(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct);
            CacheStatistics before = stats(cached);
            try (PreparedStatement ps = cached.prepareStatement(BY_IDS)) {
                for (int round = 0; round < 2; round++) {
                    ps.setArray(1, cached.createArrayOf(intType(db), new Object[] {1, 3}));
                    assertEquals(names("apple", "fig"), rows(ps.executeQuery()));
                    ps.setArray(1, cached.createArrayOf(intType(db), new Object[] {1, 2}));
                    assertEquals(names("apple", "pear"), rows(ps.executeQuery()));
                    ps.setArray(1, cached.createArrayOf(intType(db), new Object[] {3, 1}));
                    assertEquals(names("apple", "fig"), rows(ps.executeQuery()));
                    ps.setArray(1, cached.createArrayOf(intType(db), new Object[] {1, 3, 4}));
                    assertEquals(names("apple", "fig", "kiwi"), rows(ps.executeQuery()));
                    ps.setArray(1, cached.createArrayOf(intType(db), new Object[] {}));
                    assertEquals(names(), rows(ps.executeQuery()));
                }
            }
            CacheStatistics delta = stats(cached).since(before);
            assertEquals(5, delta.misses(), "one entry per array: " + delta);
            assertEquals(5, delta.hits(), "the second round is served from the cache: " + delta);
            assertEquals(0, delta.bypasses(BypassReason.UNSUPPORTED_PARAMETER), delta.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void notEqualToAllOfAnArrayIsCachedToo(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct);
            CacheStatistics before = stats(cached);
            try (PreparedStatement ps = cached.prepareStatement("select name from array_items where id <> all(?) order by id")) {
                for (int round = 0; round < 2; round++) {
                    ps.setArray(1, cached.createArrayOf(intType(db), new Object[] {1, 3}));
                    assertEquals(names("pear", "kiwi"), rows(ps.executeQuery()));
                }
            }
            CacheStatistics delta = stats(cached).since(before);
            assertEquals(1, delta.misses(), delta.toString());
            assertEquals(1, delta.hits(), delta.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void javaArraysGivenToSetObjectAreCached(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct);
            CacheStatistics before = stats(cached);
            try (PreparedStatement ps = cached.prepareStatement(BY_IDS)) {
                for (int round = 0; round < 2; round++) {
                    ps.setObject(1, new Integer[] {2, 4});
                    assertEquals(names("pear", "kiwi"), rows(ps.executeQuery()));
                    ps.setObject(1, new Integer[] {2});
                    assertEquals(names("pear"), rows(ps.executeQuery()));
                }
            }
            CacheStatistics delta = stats(cached).since(before);
            assertEquals(2, delta.misses(), delta.toString());
            assertEquals(2, delta.hits(), delta.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void anArrayChangedBetweenBindingAndExecutingPassesThrough(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct);
            Integer[] ids = {1};
            try (PreparedStatement ps = cached.prepareStatement(BY_IDS)) {
                ps.setObject(1, ids);
                ids[0] = 4;
                CacheStatistics before = stats(cached);
                List<List<String>> real;
                try (PreparedStatement reference = direct.prepareStatement(BY_IDS)) {
                    reference.setObject(1, new Integer[] {1});
                    real = rows(reference.executeQuery());
                }
                // whichever the driver sent, the answer is the database's, never a cached one for the other array
                assertEquals(real, rows(ps.executeQuery()));
                assertEquals(1, stats(cached).since(before).bypasses(BypassReason.UNSUPPORTED_PARAMETER));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void aWriteInvalidatesWhatAnArrayQueryRead(TestDatabase db) throws Exception {
        try (Connection direct = db.direct(); Connection reader = db.cached(settings());
             Connection writer = db.cached(settings())) {
            createItems(direct);
            try (PreparedStatement ps = reader.prepareStatement(BY_IDS)) {
                ps.setArray(1, reader.createArrayOf(intType(db), new Object[] {1, 3}));
                assertEquals(names("apple", "fig"), rows(ps.executeQuery()));
                assertEquals(names("apple", "fig"), rows(ps.executeQuery()));
                exec(writer, "update array_items set name = 'plum' where id = 3");
                assertEquals(names("apple", "plum"), rows(ps.executeQuery()));
            }
        }
    }

    @Test
    void theBaseTypeIsPartOfTheKey() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct);
            CacheStatistics before = stats(cached);
            try (PreparedStatement ps = cached.prepareStatement("select id from array_items where name = any(?)")) {
                for (String type : List.of("text", "varchar", "text")) {
                    ps.setArray(1, cached.createArrayOf(type, new Object[] {"fig"}));
                    assertEquals(names("3"), rows(ps.executeQuery()));
                }
            }
            CacheStatistics delta = stats(cached).since(before);
            assertEquals(2, delta.misses(), "text[] and varchar[] are different arrays to the server: " + delta);
            assertEquals(1, delta.hits(), delta.toString());
        }
    }

    @Test
    void mariaDbMakesOnlyFloatArraysAndTheyAreKeyedByEveryElement() throws Exception {
        TestDatabase db = TestDatabase.MARIADB;
        try (Connection direct = db.direct(); Connection cached = db.cached(settings())) {
            createItems(direct);
            assertThrows(SQLFeatureNotSupportedException.class, () -> direct.createArrayOf("int", new Object[] {1}));
            assertThrows(SQLFeatureNotSupportedException.class, () -> cached.createArrayOf("int", new Object[] {1}));
            String sql = "select name from array_items where ? is not null and id = 1";
            CacheStatistics before = stats(cached);
            try (PreparedStatement ps = cached.prepareStatement(sql)) {
                Array array = cached.createArrayOf("float", new Float[] {1.5f, 2.5f});
                for (int round = 0; round < 2; round++) {
                    ps.setArray(1, array);
                    assertEquals(names("apple"), rows(ps.executeQuery()));
                }
                ps.setArray(1, array);
                // MariaDB's array hands out the float[] it wraps, and reads it when the statement executes
                ((float[]) array.getArray())[1] = 3.5f;
                assertEquals(names("apple"), rows(ps.executeQuery()));
            }
            CacheStatistics delta = stats(cached).since(before);
            assertEquals(1, delta.misses(), delta.toString());
            assertEquals(1, delta.hits(), delta.toString());
            assertEquals(1, delta.bypasses(BypassReason.UNSUPPORTED_PARAMETER), delta.toString());
        }
    }
}
