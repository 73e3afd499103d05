package shop;

import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.driver.SqlCacheDataSource;
import dev.sqlcache.stats.CacheStatistics;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's third way in: the application's own DataSource, wrapped in SqlCacheDataSource. */
class CatalogTest {

    @Test
    void readsWritesAndHitsThroughTheWrappedDataSource() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1");
        h2.setUser("sa");
        // As README shows it; the port comes from REDIS_PORT in the environment.
        DataSource dataSource = new SqlCacheDataSource(h2, Map.of("sqlcache.redis.host", "127.0.0.1"));
        Catalog catalog = new Catalog(dataSource);
        catalog.create();
        CacheStatistics before = statistics(dataSource);

        assertEquals(250, catalog.price(2));
        assertEquals(250, catalog.price(2));
        catalog.setPrice(2, 199);
        assertEquals(199, catalog.price(2), "the write is seen at once");
        assertEquals(199, catalog.price(2));

        CacheStatistics done = statistics(dataSource).since(before);
        assertEquals(2, done.hits(), done.toString());
        assertEquals(2, done.misses(), done.toString());
        assertTrue(done.table("product").invalidations() > 0, done.toString());
    }

    private static CacheStatistics statistics(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            return c.unwrap(SqlCacheConnection.class).statistics();
        }
    }
}
