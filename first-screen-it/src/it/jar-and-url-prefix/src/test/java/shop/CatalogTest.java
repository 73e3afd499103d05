package shop;

import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first way in: the jar on the class path, jdbc:h2: becomes jdbc:sqlcache:h2:, nothing else. */
class CatalogTest {

    private static final String URL = "jdbc:sqlcache:h2:mem:shop;DB_CLOSE_DELAY=-1";

    @Test
    void readsWritesAndHitsThroughTheUrlPrefix() throws Exception {
        Catalog catalog = new Catalog(URL);
        catalog.create();
        CacheStatistics before = statistics();

        assertEquals(100, catalog.price(1));
        assertEquals(100, catalog.price(1));
        catalog.setPrice(1, 120);
        assertEquals(120, catalog.price(1), "the write is seen at once");
        assertEquals(120, catalog.price(1));

        CacheStatistics done = statistics().since(before);
        assertEquals(2, done.hits(), done.toString());
        assertEquals(2, done.misses(), done.toString());
        assertTrue(done.table("product").invalidations() > 0, done.toString());
    }

    @Test
    void theJarBringsNoLibraryUnderItsOwnName() {
        // Relocated inside the jar, so an application's own jOOQ or Jedis cannot clash with sqlcache's.
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.jooq.DSLContext"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("redis.clients.jedis.Jedis"));
    }

    private static CacheStatistics statistics() throws Exception {
        try (Connection c = DriverManager.getConnection(URL, "sa", "")) {
            return c.unwrap(SqlCacheConnection.class).statistics();
        }
    }
}
