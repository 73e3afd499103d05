package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheHealth;
import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a health check sees: a healthy member, then Redis gone and an invalidation owed. */
class CacheHealthTest {

    @Test
    void healthShowsReachabilityMembershipAndOwedInvalidations() throws Exception {
        try (RedisServerFixture redis = RedisServerFixture.start();
             Connection c = DriverManager.getConnection("jdbc:sqlcache:h2:mem:health;DB_CLOSE_DELAY=-1"
                     + ";sqlcache.redis.host=" + redis.host() + ";sqlcache.redis.port=" + redis.port());
             Statement statement = c.createStatement()) {
            statement.execute("create table health_t (id int primary key)");
            SqlCacheConnection cache = c.unwrap(SqlCacheConnection.class);
            CacheHealth healthy = cache.cacheHealth();
            assertTrue(healthy.healthy(), healthy.toString());
            assertTrue(healthy.reachable() && healthy.available() && healthy.member(), healthy.toString());
            assertEquals(1, healthy.members(), healthy.toString());
            assertEquals(0, healthy.lapsedMembers());
            assertTrue(healthy.store().contains(Integer.toString(redis.port())), healthy.store());

            redis.stop();
            statement.executeUpdate("insert into health_t values (1)");
            CacheHealth gone = cache.cacheHealth();
            assertFalse(gone.reachable(), gone.toString());
            assertFalse(gone.available(), gone.toString());
            assertTrue(gone.owedInvalidations() > 0, "the insert's invalidation is owed: " + gone);
            assertFalse(gone.healthy());
            assertFalse(cache.cacheHealthy());
        }
    }
}
