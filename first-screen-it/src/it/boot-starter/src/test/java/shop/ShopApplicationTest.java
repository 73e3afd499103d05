package shop;

import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

import javax.sql.DataSource;
import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's second way in: the starter on the class path and two properties; the URL stays jdbc:h2:. */
class ShopApplicationTest {

    @Test
    void readsWritesAndHitsThroughTheApplicationsOwnDataSource() throws Exception {
        SpringApplication application = new SpringApplication(ShopApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = application.run()) {
            Catalog catalog = context.getBean(Catalog.class);
            DataSource dataSource = context.getBean(DataSource.class);
            catalog.create();
            CacheStatistics before = statistics(dataSource);

            assertEquals(100, catalog.price(1));
            assertEquals(100, catalog.price(1));
            catalog.setPrice(1, 90);
            assertEquals(90, catalog.price(1), "the write is seen at once");
            assertEquals(90, catalog.price(1));

            CacheStatistics done = statistics(dataSource).since(before);
            assertEquals(2, done.hits(), done.toString());
            assertEquals(2, done.misses(), done.toString());
            assertTrue(done.table("product").invalidations() > 0, done.toString());
        }
    }

    private static CacheStatistics statistics(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            return c.unwrap(SqlCacheConnection.class).statistics();
        }
    }
}
