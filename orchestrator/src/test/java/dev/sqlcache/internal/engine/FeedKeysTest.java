package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.key.BoundParameters;
import dev.sqlcache.internal.key.ParameterType;
import dev.sqlcache.internal.runtime.CacheRuntime;
import dev.sqlcache.internal.runtime.RuntimeKey;
import dev.sqlcache.internal.store.InMemoryCacheStore;
import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the change feed bumps for a row is what a write of that row through the driver bumps, never less, and
 * meets what a read of that row depends on; a read of another row does not depend on it.
 */
class FeedKeysTest {

    private static final List<TableFacts.KeyColumn> KEY = List.of(new TableFacts.KeyColumn("id", Types.INTEGER, "int4"));
    /** What the PostgreSQL driver's metadata says of {@code feed_item(id int primary key, v text)}. */
    private static final SchemaInspector FACTS = table -> new TableFacts(true, false, Set.of(), Set.of(), Map.of(),
            KEY);

    private final CacheEngine engine;

    FeedKeysTest() throws Exception {
        SqlCacheConfig config = SqlCacheConfig.load(Map.of(), Map.of("sqlcache.store", "memory"));
        ManualTime time = new ManualTime();
        CacheRuntime runtime = new CacheRuntime(RuntimeKey.of(config), new InMemoryCacheStore(1 << 20, time), time,
                time.lane(), Runnable::run);
        engine = runtime.engine(config, "jdbc:postgresql://h/db");
    }

    private static BoundParameters bound(Object... values) {
        BoundParameters parameters = new BoundParameters();
        for (int i = 0; i < values.length; i++) {
            parameters.set(i + 1, values[i] instanceof Integer ? ParameterType.INT : ParameterType.STRING, values[i]);
        }
        return parameters;
    }

    private Set<String> written(String sql, BoundParameters parameters) {
        return Set.of(engine.dependencies().writeKeys(engine.plan(sql), parameters, FACTS));
    }

    private Set<String> read(int id) {
        Dependencies dependencies = engine.dependencies();
        Dependencies.ReadLayout layout = dependencies.readLayout(engine.plan("select v from feed_item where id = ?"),
                FACTS);
        return Set.of(dependencies.readKeys(layout, bound(id)).versionKeys());
    }

    private Set<String> fromFeed(OutsideChanges changes) {
        return Set.of(engine.feedKeys(changes));
    }

    @Test
    void anOutsideUpdateOrDeleteOfARowBumpsWhatTheDriversWouldAndMeetsItsReadsOnly() {
        Set<String> feed = fromFeed(new OutsideChanges().row("public.feed_item", KEY, List.of(BigInteger.ONE)));
        Set<String> update = written("update feed_item set v = ? where id = ?", bound("x", 1));
        Set<String> delete = written("delete from feed_item where id = ?", bound(1));
        assertTrue(feed.containsAll(update), feed + " covers " + update);
        assertTrue(feed.containsAll(delete), feed + " covers " + delete);
        assertEquals(2, feed.size(), "the table's token and the row's: " + feed);

        Set<String> readOfRow = read(1);
        Set<String> readOfOther = read(2);
        assertTrue(feed.stream().anyMatch(k -> k.contains(":k:") && readOfRow.contains(k)), "row 1's read is met");
        assertTrue(feed.stream().noneMatch(readOfOther::contains), "row 2's read is not: " + readOfOther);
    }

    @Test
    void anOutsideInsertBumpsWhatTheDriversWould() {
        Set<String> feed = fromFeed(new OutsideChanges().inserted("public.feed_item"));
        Set<String> insert = written("insert into feed_item (id, v) values (?, ?)", bound(3, "x"));
        assertEquals(insert, feed);
        assertTrue(feed.stream().anyMatch(read(3)::contains), "a read of a missing key meets it");
    }

    @Test
    void aWholeTableOrRowsThatCannotBeNamedBumpEveryToken() {
        Set<String> whole = fromFeed(new OutsideChanges().table("public.feed_item"));
        assertTrue(whole.containsAll(written("update feed_item set v = ?", bound("x"))), whole::toString);
        assertTrue(whole.stream().anyMatch(read(2)::contains), "every row's read is met");

        assertEquals(whole, fromFeed(new OutsideChanges().row("public.feed_item", KEY, List.of("not an integer"))));
        OutsideChanges many = new OutsideChanges();
        for (int i = 0; i <= RowKeys.MAX_KEYS; i++) {
            many.row("public.feed_item", KEY, List.of(BigInteger.valueOf(i)));
        }
        assertEquals(whole, fromFeed(many));
        assertEquals(whole, fromFeed(new OutsideChanges().row("public.feed_item", KEY, List.of(BigInteger.ONE))
                .table("public.feed_item")), "a row and the whole table: the whole table");
        assertFalse(fromFeed(new OutsideChanges()).iterator().hasNext());
        assertEquals(fromFeed(new OutsideChanges().row("public.feed_item", KEY, List.of(BigInteger.ONE))),
                fromFeed(new OutsideChanges().row("other.Feed_Item", KEY, List.of(BigInteger.ONE))),
                "named as readers name it: unqualified, lower case");
    }
}
