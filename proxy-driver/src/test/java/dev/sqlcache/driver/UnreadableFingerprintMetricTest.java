package dev.sqlcache.driver;

import dev.sqlcache.stats.SqlCacheMetrics;
import dev.sqlcache.testing.PostgresPair;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #15: a server that refuses a function the early drop's fingerprint reads turns the early drop off for that
 * database. {@code Membership.unreadableFingerprints()} counted it, but nothing outside the JVM saw the count: it is
 * the meter {@code sqlcache.earlydrop.unreadable} now. Its own server ({@link PostgresPair}'s primary), since revoking
 * a function's {@code EXECUTE} is not for the machine's shared one.
 */
class UnreadableFingerprintMetricTest extends RedisBackedTest {

    @Test
    void aRefusedFingerprintShowsAsAMeter() throws Exception {
        try (PostgresPair pair = PostgresPair.start()) {
            try (Connection admin = pair.primary(); Statement s = admin.createStatement()) {
                s.execute("CREATE ROLE app LOGIN");
                s.execute("REVOKE EXECUTE ON FUNCTION pg_walfile_name(pg_lsn) FROM PUBLIC");
            }
            String url = pair.primaryUrl().replace("user=postgres", "user=app")
                    .replace("jdbc:postgresql:", "jdbc:sqlcache:postgresql:");
            Properties settings = settings("sqlcache.databaseId", "unreadable-fingerprint-metric");
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (Connection c = DriverManager.getConnection(url, settings)) {
                SqlCacheConnection cache = c.unwrap(SqlCacheConnection.class);
                new SqlCacheMetrics(cache.statisticsSource(), Tags.of("db", "refusing")).bindTo(registry);
                // The connection's lock statement, and the anchor's once a renewal was answered (on another
                // thread, so the count may grow between two reads).
                double metered = registry.get("sqlcache.earlydrop.unreadable").tag("db", "refusing")
                        .functionCounter().count();
                long counted = cache.statistics().unreadableFingerprints();
                assertTrue(metered >= 1, "the connection's lock statement was refused: " + metered);
                assertTrue(metered <= counted, metered + " metered, " + counted + " counted");
            }
        }
    }
}
