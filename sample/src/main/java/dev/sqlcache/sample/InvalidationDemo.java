package dev.sqlcache.sample;

import dev.sqlcache.stats.CacheStatistics;
import org.jooq.DSLContext;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.sqlcache.sample.ShopSchema.PRODUCTS;
import static dev.sqlcache.sample.ShopSchema.PRODUCT_ID;
import static dev.sqlcache.sample.ShopSchema.PRODUCT_STOCK;

/**
 * Shows, with the driver's own counters, the promise that matters most: after a write through sqlcache the next
 * read returns the new value. Read twice (miss, hit), update, read twice again (miss with the new value, hit).
 */
final class InvalidationDemo {

    /** One step: what was done, the stock it saw (or the rows it changed), and what the cache did. */
    record Step(String action, int value, String cache, CacheStatistics change) {
    }

    private final DSLContext dsl;
    private final CacheCounters counters;
    private final PrintStream out;

    InvalidationDemo(DSLContext dsl, CacheCounters counters, PrintStream out) {
        this.dsl = dsl;
        this.counters = counters;
        this.out = out;
    }

    List<Step> run(int productId, int restock) {
        out.println();
        out.printf(Locale.ROOT, "A write invalidating, step by step (product %d, through sqlcache)%n", productId);
        List<Step> steps = new ArrayList<>();
        steps.add(read(productId, "read stock"));
        steps.add(read(productId, "read stock again"));
        steps.add(restock(productId, restock));
        steps.add(read(productId, "read stock after the update"));
        steps.add(read(productId, "read stock again"));
        Step cached = steps.get(1);
        Step fresh = steps.get(3);
        out.printf(Locale.ROOT, "  the first read after the update was a %s and returned %d, not the cached %d%n",
                fresh.cache(), fresh.value(), cached.value());
        return steps;
    }

    private Step read(int productId, String action) {
        CacheStatistics before = counters.snapshot();
        Integer stock = dsl.select(PRODUCT_STOCK).from(PRODUCTS).where(PRODUCT_ID.eq(productId)).fetchOne(PRODUCT_STOCK);
        CacheStatistics change = counters.snapshot().since(before);
        if (stock == null) {
            throw new IllegalStateException("product " + productId + " does not exist");
        }
        return print(new Step(action, stock, outcome(change), change));
    }

    private Step restock(int productId, int quantity) {
        CacheStatistics before = counters.snapshot();
        int rows = dsl.update(PRODUCTS).set(PRODUCT_STOCK, PRODUCT_STOCK.plus(quantity))
                .where(PRODUCT_ID.eq(productId)).execute();
        CacheStatistics change = counters.snapshot().since(before);
        String cache = change.invalidations() > 0
                ? "invalidated " + change.invalidations() + " table" + (change.invalidations() == 1 ? "" : "s")
                : "nothing invalidated";
        return print(new Step("update stock = stock + " + quantity, rows, cache, change));
    }

    private Step print(Step step) {
        String value = step.action().startsWith("update") ? step.value() + " row" : "stock " + step.value();
        out.printf(Locale.ROOT, "  %-32s -> %-10s  %-22s (hits +%d, misses +%d, invalidations +%d)%n",
                step.action(), value, step.cache(), step.change().hits(), step.change().misses(),
                step.change().invalidations());
        return step;
    }

    /** A read is exactly one of: served from the cache, fetched and stored, or passed through. */
    static String outcome(CacheStatistics change) {
        if (change.hits() > 0) {
            return "hit";
        }
        if (change.misses() > 0) {
            return "miss";
        }
        if (change.totalBypasses() > 0) {
            return "bypass " + change.bypasses().keySet();
        }
        return "not seen by the cache";
    }
}
