package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.DatabaseFamily;
import dev.sqlcache.internal.analysis.KeySource;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.key.BoundParameters;
import dev.sqlcache.internal.key.ParameterType;
import dev.sqlcache.internal.runtime.CacheRuntime;
import dev.sqlcache.internal.runtime.RuntimeKey;
import dev.sqlcache.internal.store.InMemoryCacheStore;
import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Types;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A primary-key read's row key is built as bytes and handed to the store with its text (session 28): the bytes must
 * be exactly the text's UTF-8 (the store sends the bytes, everything else compares the text), and the text exactly
 * the key every other path names that row with (a write's, the change feed's, another JVM's on older code), or a
 * write would bump a token no read depends on.
 */
class RowKeyBytesTest {

    private static final List<TableFacts.KeyColumn> KEY = List.of(new TableFacts.KeyColumn("id", Types.INTEGER, "int4"));
    private static final SchemaInspector FACTS = table -> new TableFacts(true, false, Set.of(), Set.of(), Map.of(),
            KEY);

    private final CacheEngine engine;

    RowKeyBytesTest() throws Exception {
        SqlCacheConfig config = SqlCacheConfig.load(Map.of(), Map.of("sqlcache.store", "memory"));
        ManualTime time = new ManualTime();
        CacheRuntime runtime = new CacheRuntime(RuntimeKey.of(config), new InMemoryCacheStore(1 << 20, time), time,
                time.lane(), Runnable::run);
        engine = runtime.engine(config, "jdbc:postgresql://h/db");
    }

    private static BoundParameters bound(int id) {
        BoundParameters parameters = new BoundParameters();
        parameters.set(1, ParameterType.INT, id);
        return parameters;
    }

    /** The row key's format as every release so far wrote it: the table's key, ":k:", 16 bytes of SHA-256 in hex. */
    private static String expectedRowKey(String tableKey, String canonical) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(canonical.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        return tableKey + ":k:" + HexFormat.of().formatHex(digest.digest(), 0, 16);
    }

    @Test
    void aPrimaryKeyReadCarriesItsRowKeysUtf8AndTheSameKeyAsItsWrite() throws Exception {
        Dependencies dependencies = engine.dependencies();
        Dependencies.ReadLayout layout = dependencies.readLayout(engine.plan("select v from row_item where id = ?"),
                FACTS);
        for (int id : new int[] {0, 7, -42, Integer.MAX_VALUE}) {
            Dependencies.ReadKeys keys = dependencies.readKeys(layout, bound(id));
            String[] text = keys.versionKeys();
            String row = expectedRowKey(engine.versionKey("row_item"), "i" + id);
            assertEquals(row, text[text.length - 1], "the row key's text");
            assertEquals(1, keys.keyLevelTables());
            for (int i = 0; i < text.length; i++) {
                // Every key carries its bytes now (the layout's since session 26, the row's since 28), and they are
                // the text's UTF-8, byte for byte.
                assertNotNull(keys.encoded()[i], text[i]);
                assertArrayEquals(text[i].getBytes(StandardCharsets.UTF_8), keys.encoded()[i], text[i]);
            }
            BoundParameters write = new BoundParameters();
            write.set(1, ParameterType.STRING, "x");
            write.set(2, ParameterType.INT, id);
            Set<String> written = Set.of(dependencies.writeKeys(engine.plan("update row_item set v = ? where id = ?"),
                    write, FACTS));
            assertEquals(true, written.contains(row), "the write bumps the read's row key: " + written);
        }
    }

    @Test
    void aValueThatNamesNoRowExactlyFallsBackToTheTableWithItsTextOnly() {
        Dependencies dependencies = engine.dependencies();
        Dependencies.ReadLayout layout = dependencies.readLayout(engine.plan("select v from row_item where id = ?"),
                FACTS);
        BoundParameters text = new BoundParameters();
        text.set(1, ParameterType.STRING, "7"); // a string against an integer key: compared by conversion
        Dependencies.ReadKeys keys = dependencies.readKeys(layout, text);
        String[] names = keys.versionKeys();
        assertEquals(engine.versionKey("row_item"), names[names.length - 1]);
        assertEquals(0, keys.keyLevelTables());
        assertNull(keys.encoded()[names.length - 1], "encoded by the store, from the text");
    }

    @Test
    void aTableNameOutsideAsciiGivesBytesThatAreItsTextsUtf8() throws Exception {
        RowKeys rowKeys = new RowKeys("dbhash", DatabaseFamily.POSTGRES);
        RowKeys.KeyPlan plan = new RowKeys.KeyPlan("tåble_€", KEY, List.of(List.of(new KeySource.Bind(1))));
        byte[] key = rowKeys.singleRowKey(plan, bound(5));
        String expected = expectedRowKey("sql:tåble_€:version:dbhash", "i5");
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), key);
        assertEquals(expected, RowKeys.text(key));
        assertEquals(expected, rowKeys.versionKey("tåble_€", new String[] {"i5"}));
        assertEquals(expected, rowKeys.rowVersionKeys(plan, bound(5))[0]);
    }
}
