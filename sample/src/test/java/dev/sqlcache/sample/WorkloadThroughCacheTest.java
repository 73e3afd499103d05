package dev.sqlcache.sample;

import com.zaxxer.hikari.HikariDataSource;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sample's pieces at a small size on the driver's in-process store: the cached run must give exactly the
 * direct run's answers while serving many of them from the cache, and a write must show up in the next read.
 */
class WorkloadThroughCacheTest {

    private static final ShopSize SMALL = new ShopSize(300, 120, 600);
    private static final Map<String, String> MEMORY_STORE = Map.of("sqlcache.store", "memory");

    private ShopDatabase directDb;
    private ShopDatabase cachedDb;
    private HikariDataSource directPool;
    private HikariDataSource cachedPool;
    private CacheCounters counters;

    @BeforeEach
    void buildTwoIdenticalShops() throws SQLException {
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        directDb = new ShopDatabase("test_" + run + "_direct");
        cachedDb = new ShopDatabase("test_" + run + "_cached");
        directPool = directDb.directPool(2);
        cachedPool = cachedDb.cachedPool(3, MEMORY_STORE);
        counters = new CacheCounters(cachedPool);
        ShopSchema.create(ShopSchema.dsl(directPool), SMALL, 42);
        try (HikariDataSource loader = cachedDb.directPool(1)) {
            ShopSchema.create(ShopSchema.dsl(loader), SMALL, 42);
        }
    }

    @AfterEach
    void dropShops() throws SQLException {
        counters.close();
        cachedPool.close();
        directPool.close();
        directDb.drop();
        cachedDb.drop();
    }

    @Test
    void cachedRunAnswersExactlyLikeTheDirectRunAndHitsTheCache() {
        Workload workload = new Workload(SMALL);
        List<Step> steps = workload.steps(7, 1_500);
        assertTrue(steps.stream().anyMatch(s -> s.operation().isWrite()), "the steps must include writes");

        RunResult direct = workload.run("direct", ShopSchema.dsl(directPool), steps, null, true);
        RunResult cached = workload.run("sqlcache", ShopSchema.dsl(cachedPool), steps, counters, true);

        assertEquals(steps.size(), direct.answers().size());
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(direct.answers().get(i), cached.answers().get(i), "answer " + i + " to " + steps.get(i));
        }
        assertEquals(steps.size(), RunReport.identicalAnswers(direct, cached));

        CacheStatistics stats = cached.cache();
        assertTrue(stats.hits() > 0, "no hits: " + stats);
        assertTrue(stats.misses() > 0, "a cold cache must miss first: " + stats);
        assertTrue(stats.invalidations() > 0, "the writes must invalidate: " + stats);
        long reads = steps.stream().filter(s -> !s.operation().isWrite()).count();
        // Writes may be counted as NOT_A_READ pass-throughs; every read must be a hit or a miss, nothing else.
        assertEquals(reads, stats.hits() + stats.misses() + stats.totalBypasses()
                - stats.bypasses(BypassReason.NOT_A_READ), "a read was not cached: " + stats);
        assertTrue(cached.outcomes().get(Operation.PRODUCT_BY_ID).hits() > 0);
        assertTrue(cached.hitsOf(Operation.TOP_PRODUCTS).count() > 0, "the aggregation was never served cached");
    }

    @Test
    void theReadAfterAnUpdateSeesTheNewValue() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        DSLContext cached = ShopSchema.dsl(cachedPool);
        List<InvalidationDemo.Step> steps = new InvalidationDemo(cached, counters,
                new PrintStream(printed, true, StandardCharsets.UTF_8)).run(5, 25);

        assertEquals("miss", steps.get(0).cache());
        assertEquals("hit", steps.get(1).cache());
        assertEquals(steps.get(0).value(), steps.get(1).value());
        assertEquals(1, steps.get(2).value(), "one row updated");
        assertTrue(steps.get(2).change().invalidations() > 0, "the update invalidated nothing");
        assertEquals(steps.get(1).value() + 25, steps.get(3).value(), "the read after the update saw a stale value");
        assertEquals("miss", steps.get(3).cache());
        assertEquals("hit", steps.get(4).cache());
        assertEquals(steps.get(3).value(), steps.get(4).value());

        assertEquals(steps.get(4).value(), directStock(5), "the cache disagrees with the database");
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("returned " + steps.get(3).value()));
    }

    /** What the database itself holds, read around the cache. */
    private int directStock(int productId) {
        try (HikariDataSource raw = cachedDb.directPool(1)) {
            return ShopSchema.dsl(raw).select(ShopSchema.PRODUCT_STOCK).from(ShopSchema.PRODUCTS)
                    .where(ShopSchema.PRODUCT_ID.eq(productId)).fetchOne(ShopSchema.PRODUCT_STOCK);
        }
    }
}
