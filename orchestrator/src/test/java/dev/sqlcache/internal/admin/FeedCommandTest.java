package dev.sqlcache.internal.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.engine.DatabaseIdentity;
import dev.sqlcache.internal.feed.FeedSlots;
import dev.sqlcache.internal.store.CacheStore;
import dev.sqlcache.internal.store.RedisCacheStore;
import dev.sqlcache.testing.RedisServerFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code feed} shows this deployment's slot among the database's and drops one, against real PostgreSQL. */
class FeedCommandTest {

    private static final String DB = System.getenv().getOrDefault("CACHETEST_DB", "test");
    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/" + DB + "?user=postgres";

    private static RedisServerFixture redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerFixture.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static CliRun feed(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "feed";
        all[1] = "--redis-host";
        all[2] = redis.host();
        all[3] = "--redis-port";
        all[4] = Integer.toString(redis.port());
        System.arraycopy(args, 0, all, 5, args.length);
        return CliRun.run(Map.of(), all);
    }

    @Test
    void showsThisDeploymentsSlotAndDropsIt() throws Exception {
        String slot;
        try (Connection db = DriverManager.getConnection(PG_URL);
             CacheStore store = new RedisCacheStore(AdminCommand.adminSettings(
                     dev.sqlcache.internal.config.SqlCacheConfig.load(Map.of(), redis.tcpProperties())))) {
            slot = FeedSlots.slotName(FeedSlots.databaseName(db), DatabaseIdentity.of(PG_URL, null),
                    store.describe());
            try (PreparedStatement create = db.prepareStatement(
                    "select pg_create_logical_replication_slot(?, 'test_decoding')")) {
                create.setString(1, slot);
                create.execute();
            }
        }
        try {
            CliRun shown = feed("--url", PG_URL).assertSuccess();
            assertTrue(shown.out().contains(slot + " (this deployment's): NOT consumed"), shown::toString);
            assertTrue(shown.out().contains("of WAL"), shown::toString);

            assertEquals(AdminException.USAGE, feed("--url", PG_URL, "--drop", slot).exitCode());
            assertTrue(slotExists(slot), "not dropped without --yes");
            feed("--url", PG_URL, "--drop", slot, "--yes").assertSuccess();
            assertFalse(slotExists(slot), "dropped");
            feed("--url", PG_URL, "--drop", "not_ours", "--yes").assertOneLineError(AdminException.RUNTIME);
        } finally {
            if (slotExists(slot)) {
                try (Connection db = DriverManager.getConnection(PG_URL)) {
                    FeedSlots.drop(db, slot);
                }
            }
        }
    }

    private static boolean slotExists(String slot) throws Exception {
        try (Connection db = DriverManager.getConnection(PG_URL);
             PreparedStatement find = db.prepareStatement("select 1 from pg_replication_slots where slot_name = ?")) {
            find.setString(1, slot);
            return find.executeQuery().next();
        }
    }
}
