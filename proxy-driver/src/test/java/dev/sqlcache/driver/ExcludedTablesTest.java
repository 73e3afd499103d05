package dev.sqlcache.driver;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;

import java.sql.Connection;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sqlcache.exclude}: a read of an excluded table, alone, joined or in a subquery, passes through with its
 * own reason and nothing of it reaches Redis; other tables are cached as before.
 */
class ExcludedTablesTest extends RedisBackedTest {

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void readsOfAnExcludedTableNeverReachTheCache(TestDatabase db) throws Exception {
        try (Connection direct = db.direct();
             Connection cached = db.cached(settings("sqlcache.exclude", "ex_secret*"));
             Jedis jedis = new Jedis(redis.host(), redis.port())) {
            exec(direct, "drop table if exists ex_secrets", "drop table if exists ex_public",
                    "create table ex_secrets (id int primary key, token varchar(40))",
                    "insert into ex_secrets values (1, 'hunter2')",
                    "create table ex_public (id int primary key, name varchar(40))",
                    "insert into ex_public values (1, 'alice')");
            for (String sql : new String[] {"select id, token from ex_secrets where id = 1",
                    "select p.name, s.token from ex_public p join ex_secrets s on s.id = p.id",
                    "select name from ex_public where id in (select id from ex_secrets where token = 'hunter2')"}) {
                Set<String> before = jedis.keys("sql:*:data:*");
                CacheStatistics start = stats(cached);
                for (int i = 0; i < 3; i++) {
                    assertEquals(rows(direct, sql), rows(cached, sql), sql);
                }
                CacheStatistics delta = stats(cached).since(start);
                assertEquals(3, delta.bypasses(BypassReason.EXCLUDED_TABLE), sql + ": " + delta);
                assertEquals(0, delta.hits() + delta.misses() + delta.stores(), sql + ": " + delta);
                Thread.sleep(50); // a store would be on its way by now
                assertEquals(before, jedis.keys("sql:*:data:*"), sql + " stored nothing");
            }
            untilHit(cached, direct, "select id, name from ex_public where id = 1"); // other tables are cached
        }
    }
}
