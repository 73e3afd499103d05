package dev.sqlcache.internal.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.testing.RedisSentinelFixture;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The admin tool's one-off connection asks the sentinels where the primary is, each time it connects. */
class SentinelAdminConnectionTest {

    @Test
    void connectsToThePrimaryTheSentinelsNameNow() throws Exception {
        try (RedisSentinelFixture group = RedisSentinelFixture.start()) {
            RedisSettings settings = SqlCacheConfig.load(Map.of(), group.properties()).redis();
            int first = group.primaryPort();
            assertEquals(runId(group.info(first, "server")), runId(server(settings)));

            int second = group.awaitFailover(group.manualFailover(), 30_000);
            assertEquals(runId(group.info(second, "server")), runId(server(settings)),
                    "the new primary, not the demoted one");
        }
    }

    @Test
    void unreachableSentinelsAreAOneLineErrorWithoutThePassword() throws Exception {
        RedisSettings settings = SqlCacheConfig.load(Map.of(), Map.of("sqlcache.redis.sentinels", "127.0.0.1:1",
                "sqlcache.redis.sentinelMaster", "m", "sqlcache.redis.sentinelPassword", "hunter2")).redis();
        AdminException e = assertThrows(AdminException.class, () -> new RedisAdminConnection(settings));
        assertTrue(e.getMessage().contains("sentinel master m via 127.0.0.1:1"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    private static String server(RedisSettings settings) throws AdminException {
        try (RedisAdminConnection connection = new RedisAdminConnection(settings)) {
            return connection.with("info", jedis -> jedis.info("server"));
        }
    }

    private static String runId(String info) {
        Matcher m = Pattern.compile("run_id:(\\w+)").matcher(info);
        assertTrue(m.find(), info);
        return m.group(1);
    }
}
