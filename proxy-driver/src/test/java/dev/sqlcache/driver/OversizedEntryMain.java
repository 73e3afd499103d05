package dev.sqlcache.driver;

import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.stats.EntryRejection;
import redis.clients.jedis.Jedis;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * An application with a small heap ({@code -Xmx256m}, set by {@link HostileEntryTest}) whose entry is replaced by a
 * 100 MB value: it must get the database's answer, not an {@code OutOfMemoryError}. Prints {@code OK} and exits 0
 * when it did; anything else is a failure. Arguments: the Redis port.
 */
public final class OversizedEntryMain {

    private static final String SQL = "select id, name from big_user where id + 0 = ?";
    private static final int HUNDRED_MB = 100 * 1024 * 1024;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Properties p = new Properties();
        p.setProperty("user", "sa");
        p.setProperty("password", "");
        p.setProperty("sqlcache.redis.host", "127.0.0.1");
        p.setProperty("sqlcache.redis.port", Integer.toString(port));
        // What Redis holds is under test: a copy in the near cache would answer first.
        p.setProperty("sqlcache.nearCache.maxBytes", "0");
        try (Connection direct = DriverManager.getConnection("jdbc:h2:mem:oversized;DB_CLOSE_DELAY=-1", "sa", "");
             Connection cached = DriverManager.getConnection("jdbc:sqlcache:h2:mem:oversized;DB_CLOSE_DELAY=-1", p);
             Jedis jedis = new Jedis("127.0.0.1", port)) {
            RedisBackedTest.exec(direct, "create table big_user (id int primary key, name varchar(40))",
                    "insert into big_user values (1, 'alice')");
            String key = null;
            for (int i = 0; i < 500 && key == null; i++) {
                HostileEntryTest.byId(cached, SQL, 1);
                Set<String> keys = jedis.keys("sql:big_user:data:*");
                key = keys.isEmpty() ? null : keys.iterator().next();
                Thread.sleep(10);
            }
            if (key == null) {
                throw new AssertionError("never stored");
            }
            // Grown on the server: this JVM never holds the 100 MB itself.
            jedis.setrange(key, HUNDRED_MB - 1, "x");
            if (jedis.strlen(key) != HUNDRED_MB) {
                throw new AssertionError("not 100 MB");
            }
            CacheStatistics before = cached.unwrap(SqlCacheConnection.class).statistics();
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long allocated = threads.getCurrentThreadAllocatedBytes();
            List<List<String>> answer = HostileEntryTest.byId(cached, SQL, 1);
            allocated = threads.getCurrentThreadAllocatedBytes() - allocated;
            if (allocated > 10 * 1024 * 1024) {
                throw new AssertionError("the read allocated " + allocated + " bytes");
            }
            CacheStatistics delta = cached.unwrap(SqlCacheConnection.class).statistics().since(before);
            if (!answer.equals(List.of(List.of("1", "alice"))) || delta.hits() != 0
                    || delta.rejections(EntryRejection.OVER_LIMIT) != 1) {
                throw new AssertionError(answer + " " + delta);
            }
            System.out.println("OK");
        }
    }
}
