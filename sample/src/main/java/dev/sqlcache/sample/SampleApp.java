package dev.sqlcache.sample;

import com.zaxxer.hikari.HikariDataSource;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sqlcache sample: builds a shop on embedded H2, runs one read-heavy jOOQ workload through HikariCP directly
 * and through {@code jdbc:sqlcache:}, prints what each run measured, and shows a write invalidating the cache.
 *
 * <p>Run from the repository root: {@code mvn -q -B -ntp install -DskipTests && mvn -q -B -ntp -pl sample exec:java}
 */
public final class SampleApp {

    private static final Logger LOG = LoggerFactory.getLogger(SampleApp.class);

    /** Same data, same statements in both runs: the seeds are fixed, only the database name is fresh. */
    private static final long DATA_SEED = 20240601L;
    private static final long WARM_UP_SEED = 1L;
    private static final long MEASURED_SEED = 2L;
    private static final long CONCURRENT_SEED = 3L;
    private static final int WARM_UP_STATEMENTS = 3_000;
    private static final int MEASURED_STATEMENTS = 20_000;
    private static final int CONCURRENT_STATEMENTS = 10_000;
    private static final int CONCURRENT_THREADS = 2;
    private static final int POOL_SIZE = 4;
    /** Entries this sample leaves in a shared Redis expire on their own soon after it ends. */
    private static final String ENTRY_TTL_SECONDS = "120";

    private final PrintStream out;
    private final ShopSize size;

    SampleApp(PrintStream out, ShopSize size) {
        this.out = out;
        this.size = size;
    }

    public static void main(String[] args) {
        // jOOQ greets on first use; the report should start with the sample's own lines.
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        try (StoreChoice store = StoreChooser.forThisMachine().choose()) {
            new SampleApp(System.out, ShopSize.SAMPLE).run(store);
        } catch (Exception e) {
            LOG.debug("sample failed", e);
            System.out.flush();
            System.err.println("sample failed: " + oneLine(e));
            System.exit(1);
        }
    }

    void run(StoreChoice store) throws Exception {
        long started = System.nanoTime();
        out.println("store: " + store.description());

        String run = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        ShopDatabase directDb = new ShopDatabase("shop_" + run + "_direct");
        ShopDatabase cachedDb = new ShopDatabase("shop_" + run + "_cached");
        Map<String, String> settings = new HashMap<>(store.settings());
        settings.put("sqlcache.ttl", ENTRY_TTL_SECONDS);

        try (HikariDataSource directPool = directDb.directPool(POOL_SIZE);
             HikariDataSource cachedPool = cachedDb.cachedPool(POOL_SIZE, settings);
             CacheCounters counters = new CacheCounters(cachedPool)) {
            out.println("cache: " + counters.store() + ", entries expire after " + ENTRY_TTL_SECONDS + " s");
            DSLContext direct = ShopSchema.dsl(directPool);
            DSLContext cached = ShopSchema.dsl(cachedPool);
            buildSchemas(directDb, cachedDb, direct);

            Workload workload = new Workload(size, out);
            RunReport report = new RunReport(out);

            // Warm-up: the same statements on both, so both databases stay identical, and both JITs warm.
            List<Step> warmUp = workload.steps(WARM_UP_SEED, WARM_UP_STATEMENTS);
            workload.run("warm-up", direct, warmUp, null, false);
            workload.run("warm-up", cached, warmUp, null, false);
            // The measured run starts with an empty cache, so its hit ratio includes every cold miss.
            counters.invalidateAll();
            out.printf(Locale.ROOT, "warm-up: %,d statements on each pool, then the cache was emptied%n",
                    WARM_UP_STATEMENTS);

            List<Step> measured = workload.steps(MEASURED_SEED, MEASURED_STATEMENTS);
            RunResult directRun = workload.run("direct H2", direct, measured, null, false);
            report.print(directRun, directDb.directUrl());
            RunResult cachedRun = workload.run("sqlcache", cached, measured, counters, false);
            report.print(cachedRun, cachedDb.cachedUrl());
            report.compare(directRun, cachedRun);
            int identical = RunReport.identicalAnswers(directRun, cachedRun);
            if (identical != measured.size()) {
                throw new IllegalStateException((measured.size() - identical)
                        + " answers through sqlcache differed from the direct run");
            }

            List<Step> concurrent = workload.steps(CONCURRENT_SEED, CONCURRENT_STATEMENTS);
            RunResult directConcurrent = workload.runConcurrently("direct H2", direct, concurrent,
                    CONCURRENT_THREADS, null);
            report.print(directConcurrent, "HikariCP pool of " + POOL_SIZE);
            RunResult cachedConcurrent = workload.runConcurrently("sqlcache", cached, concurrent,
                    CONCURRENT_THREADS, counters);
            report.print(cachedConcurrent, "HikariCP pool of " + POOL_SIZE);
            report.compare(directConcurrent, cachedConcurrent);

            // On embedded H2 a point read costs less than a Redis round trip, so after the runs above the cache
            // policy rightly sends these reads to the database. Pinned on, the demo shows what the cache does.
            Map<String, String> pinned = new HashMap<>(settings);
            pinned.put("sqlcache.tablePolicy", "products=on");
            List<InvalidationDemo.Step> demo;
            try (HikariDataSource demoPool = cachedDb.cachedPool(2, pinned);
                 CacheCounters demoCounters = new CacheCounters(demoPool)) {
                out.println();
                out.println("(the demo's pool pins products on: sqlcache.tablePolicy=products=on)");
                demo = new InvalidationDemo(ShopSchema.dsl(demoPool), demoCounters, out).run(7, 25);
            }
            InvalidationDemo.Step fresh = demo.get(3);
            if (fresh.value() != demo.get(1).value() + 25) {
                throw new IllegalStateException("the read after the update returned " + fresh.value()
                        + ", expected " + (demo.get(1).value() + 25));
            }
        } finally {
            directDb.drop();
            cachedDb.drop();
        }
        out.println();
        out.printf(Locale.ROOT, "done in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /**
     * Both databases get the same rows from the same seed, built side by side on two threads. Neither is loaded
     * through sqlcache: loading data is not what the sample measures.
     */
    private void buildSchemas(ShopDatabase directDb, ShopDatabase cachedDb, DSLContext direct) throws Exception {
        long t0 = System.nanoTime();
        CompletableFuture<ShopSchema.Contents> cachedContents = CompletableFuture.supplyAsync(() -> {
            try (HikariDataSource loader = cachedDb.directPool(1)) {
                return ShopSchema.create(ShopSchema.dsl(loader), size, DATA_SEED);
            }
        });
        ShopSchema.Contents contents = ShopSchema.create(direct, size, DATA_SEED);
        try {
            if (!cachedContents.get().equals(contents)) {
                throw new IllegalStateException("the two databases were filled differently: " + contents + " and "
                        + cachedContents.get());
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        out.printf(Locale.ROOT, "schema: %,d customers, %,d products, %,d orders, %,d order lines in each of %s and "
                        + "%s (%.1f s)%n", contents.customers(), contents.products(), contents.orders(),
                contents.orderLines(), directDb.name(), cachedDb.name(), (System.nanoTime() - t0) / 1e9);
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (root != e && e.getMessage() != null && !e.getMessage().contains(message)) {
            message = e.getMessage() + ": " + message;
        }
        return message.replaceAll("\\s+", " ").strip();
    }
}
