package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.runtime.CacheRuntime;
import dev.sqlcache.internal.runtime.RuntimeKey;
import dev.sqlcache.internal.store.InMemoryCacheStore;
import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DEBUG line of a write says what it invalidates and why, and agrees with the keys it bumps. */
class WriteReasonTest {

    private static CacheEngine engine(String url, Map<String, String> settings) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(Map.of("sqlcache.store", "memory"));
        all.putAll(settings);
        SqlCacheConfig config = SqlCacheConfig.load(Map.of(), all);
        ManualTime time = new ManualTime();
        CacheRuntime runtime = new CacheRuntime(RuntimeKey.of(config), new InMemoryCacheStore(1 << 20, time), time,
                time.lane(), Runnable::run);
        return runtime.engine(config, url);
    }

    /** What an unknown database's inspector answers: a plain table, but triggers it cannot rule out. */
    private static final SchemaInspector NO_TRIGGER_QUERY = table -> new TableFacts(true, true, Set.of());
    private static final SchemaInspector PLAIN = table -> new TableFacts(true, false, Set.of());

    private static String why(CacheEngine engine, String sql, SchemaInspector inspector) {
        return engine.dependencies().whyWrites(engine.plan(sql), inspector);
    }

    @Test
    void anUnknownDatabaseSaysItsTriggersCannotBeListed() throws Exception {
        CacheEngine engine = engine("jdbc:unknown:db", Map.of());
        assertEquals("whole database: this database's triggers cannot be listed"
                + " (sqlcache.triggerWrites can declare what they write)", why(engine, "update t set a = 1", NO_TRIGGER_QUERY));
        assertArrayEquals(new String[] {engine.databaseVersionKey()},
                engine.dependencies().writeKeys(engine.plan("update t set a = 1"), null, NO_TRIGGER_QUERY));
    }

    @Test
    void aKnownDatabaseSaysWhichTableHasATrigger() throws Exception {
        CacheEngine engine = engine("jdbc:h2:mem:why", Map.of());
        assertEquals("whole database: a trigger on t may write any table (sqlcache.triggerWrites can declare what it writes)",
                why(engine, "update t set a = 1", NO_TRIGGER_QUERY));
        assertEquals("whole database: the database's metadata says nothing about table u",
                why(engine, "update u set a = 1", table -> TableFacts.UNKNOWN));
    }

    @Test
    void declaredTriggerWritesAreNamed() throws Exception {
        CacheEngine engine = engine("jdbc:unknown:db", Map.of("sqlcache.triggerWrites", "t=audit"));
        assertEquals("the tables it writes [t], and what sqlcache.triggerWrites declares [audit]",
                why(engine, "update t set a = 1", NO_TRIGGER_QUERY));
    }

    /** Declaring that a table's triggers write nothing else narrows an unknown database's writes to the table. */
    @Test
    void aTableDeclaredToWriteOnlyItselfIsNotWholeDatabase() throws Exception {
        CacheEngine engine = engine("jdbc:unknown:db", Map.of("sqlcache.triggerWrites", "t=t"));
        String[] keys = engine.dependencies().writeKeys(engine.plan("update t set a = 1"), null, NO_TRIGGER_QUERY);
        assertTrue(java.util.Arrays.stream(keys).noneMatch(engine.databaseVersionKey()::equals), java.util.Arrays.toString(keys));
        assertTrue(java.util.Arrays.stream(keys).allMatch(k -> k.startsWith("sql:t:")), java.util.Arrays.toString(keys));
    }

    @Test
    void statementsWhoseTablesAreUnknown() throws Exception {
        CacheEngine engine = engine("jdbc:mariadb://h/db", Map.of());
        assertEquals("whole database: the statement cannot be parsed and its target is not certain",
                why(engine, "insert into t partition (p0) (a) values (f(1))", PLAIN));
        assertEquals("whole database: what the procedure writes is unknown (sqlcache.procedureWrites can declare it)",
                why(engine, "call p()", PLAIN));
        assertEquals("the tables it writes [t]", why(engine, "insert into t partition (p0) (a) values (1)", PLAIN));
        assertTrue(why(engine, "update t1, t2 set t1.a = t2.a", PLAIN).startsWith("the tables it writes [t1, t2]"));
    }

    @Test
    void foreignKeyActionsAreNamed() throws Exception {
        CacheEngine engine = engine("jdbc:postgresql://h/db", Map.of());
        SchemaInspector cascade = table -> new TableFacts(true, false, Set.of(), Set.of("child"), Map.of(), java.util.List.of());
        assertEquals("the tables it writes [parent], and what foreign key actions or inheritance reach [child]",
                why(engine, "delete from parent where a = 1", cascade));
    }
}
