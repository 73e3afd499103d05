package dev.sqlcache.sample;

import dev.sqlcache.stats.CacheStatistics;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Result;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.sqlcache.sample.ShopSchema.CUSTOMERS;
import static dev.sqlcache.sample.ShopSchema.CUSTOMER_COUNTRY;
import static dev.sqlcache.sample.ShopSchema.CUSTOMER_EMAIL;
import static dev.sqlcache.sample.ShopSchema.CUSTOMER_ID;
import static dev.sqlcache.sample.ShopSchema.CUSTOMER_NAME;
import static dev.sqlcache.sample.ShopSchema.CUSTOMER_SINCE;
import static dev.sqlcache.sample.ShopSchema.LINE_ORDER;
import static dev.sqlcache.sample.ShopSchema.LINE_PRICE;
import static dev.sqlcache.sample.ShopSchema.LINE_PRODUCT;
import static dev.sqlcache.sample.ShopSchema.LINE_QUANTITY;
import static dev.sqlcache.sample.ShopSchema.ORDERS;
import static dev.sqlcache.sample.ShopSchema.ORDER_CUSTOMER;
import static dev.sqlcache.sample.ShopSchema.ORDER_ID;
import static dev.sqlcache.sample.ShopSchema.ORDER_LINES;
import static dev.sqlcache.sample.ShopSchema.ORDER_PLACED;
import static dev.sqlcache.sample.ShopSchema.ORDER_STATUS;
import static dev.sqlcache.sample.ShopSchema.PRODUCTS;
import static dev.sqlcache.sample.ShopSchema.PRODUCT_CATEGORY;
import static dev.sqlcache.sample.ShopSchema.PRODUCT_ID;
import static dev.sqlcache.sample.ShopSchema.PRODUCT_NAME;
import static dev.sqlcache.sample.ShopSchema.PRODUCT_PRICE;
import static dev.sqlcache.sample.ShopSchema.PRODUCT_STOCK;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.sum;

/**
 * The read-heavy shop workload: draws a sequence of {@link Step}s from a seed, runs it through jOOQ on any data
 * source, and times every statement. The statements are the same whether the data source is H2 itself or H2
 * behind sqlcache; only the URL of the pool differs.
 */
final class Workload {

    /** How often a long run says how far it has got. */
    private static final long PROGRESS_MILLIS = 5_000;

    private final ShopSize size;
    private final PrintStream progress;

    Workload(ShopSize size) {
        this(size, null);
    }

    /** @param progress where progress lines go while a run lasts; {@code null} for none */
    Workload(ShopSize size, PrintStream progress) {
        this.size = size;
        this.progress = progress;
    }

    /** The same seed gives the same steps, so two runs can be compared answer by answer. */
    List<Step> steps(long seed, int count) {
        Random random = new Random(seed);
        List<Step> steps = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Operation operation = Operation.forDraw(random.nextInt(1_000));
            steps.add(switch (operation) {
                case PRODUCT_BY_ID, UPDATE_STOCK ->
                        new Step(operation, Skew.pick(random, size.products()), null, 0, 0, null);
                case CUSTOMER_BY_ID, RECENT_ORDERS ->
                        new Step(operation, Skew.pick(random, size.customers()), null, 0, 0, null);
                case CATEGORY_SEARCH, TOP_PRODUCTS -> new Step(operation, 0,
                        ShopSchema.CATEGORIES.get(Skew.popular(random, ShopSchema.CATEGORIES.size())), 0, 0, null);
                case INSERT_ORDER_LINE -> new Step(operation, Skew.pick(random, size.orders()), null,
                        Skew.pick(random, size.products()), 1 + random.nextInt(5), ShopSchema.price(random));
            });
        }
        return Collections.unmodifiableList(steps);
    }

    /**
     * Runs the steps one after another on this thread.
     *
     * @param counters    sqlcache's counters, read around every statement to tell hits from misses; {@code null}
     *                    for a direct run
     * @param keepAnswers whether to keep every answer in full (for tests; the sample keeps fingerprints only)
     */
    RunResult run(String label, DSLContext dsl, List<Step> steps, CacheCounters counters, boolean keepAnswers) {
        Map<Operation, long[]> latencies = new EnumMap<>(Operation.class);
        Map<Operation, Integer> filled = new EnumMap<>(Operation.class);
        for (Operation operation : Operation.values()) {
            latencies.put(operation, new long[(int) steps.stream().filter(s -> s.operation() == operation).count()]);
            filled.put(operation, 0);
        }
        Map<Operation, RunResult.Outcomes> outcomes = new EnumMap<>(Operation.class);
        Map<Operation, List<Long>> hitLatencies = new EnumMap<>(Operation.class);
        long[] fingerprints = new long[steps.size()];
        List<List<List<Object>>> answers = keepAnswers ? new ArrayList<>(steps.size()) : null;
        CacheStatistics first = counters == null ? null : counters.snapshot();
        CacheStatistics before = first;

        long start = System.nanoTime();
        try (Progress shown = new Progress(progress, label, steps.size(), PROGRESS_MILLIS)) {
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                long t0 = System.nanoTime();
                Object answer = execute(dsl, step);
                long elapsed = System.nanoTime() - t0;
                shown.step();

                // Bookkeeping outside the timed region: it costs the same in both runs, but it is not the database's.
                int n = filled.merge(step.operation(), 1, Integer::sum);
                latencies.get(step.operation())[n - 1] = elapsed;
                fingerprints[i] = fingerprint(answer);
                if (answers != null) {
                    answers.add(rows(answer));
                }
                if (counters != null) {
                    CacheStatistics after = counters.snapshot();
                    CacheStatistics change = after.since(before);
                    outcomes.merge(step.operation(), RunResult.Outcomes.of(change), RunResult.Outcomes::plus);
                    if (change.hits() > 0) {
                        hitLatencies.computeIfAbsent(step.operation(), k -> new ArrayList<>()).add(elapsed);
                    }
                    before = after;
                }
            }
        }
        long wall = System.nanoTime() - start;
        CacheStatistics delta = counters == null ? null : counters.snapshot().since(first);
        return new RunResult(label, 1, latencies, wall, fingerprints, answers, delta, outcomes,
                toArrays(hitLatencies));
    }

    /**
     * Runs the steps on several threads, each taking every n-th step. Writes interleave differently from run to
     * run, so answers are not kept; this measures what the pool and the cache do under contention.
     */
    RunResult runConcurrently(String label, DSLContext dsl, List<Step> steps, int threads, CacheCounters counters)
            throws InterruptedException {
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, "workload");
            thread.setDaemon(true);
            return thread;
        });
        try (Progress shown = new Progress(progress, label + ", " + threads + " threads", steps.size(),
                PROGRESS_MILLIS)) {
            List<Callable<Map<Operation, List<Long>>>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                tasks.add(() -> {
                    Map<Operation, List<Long>> mine = new EnumMap<>(Operation.class);
                    for (int i = offset; i < steps.size(); i += threads) {
                        Step step = steps.get(i);
                        long t0 = System.nanoTime();
                        execute(dsl, step);
                        long elapsed = System.nanoTime() - t0;
                        shown.step();
                        mine.computeIfAbsent(step.operation(), k -> new ArrayList<>()).add(elapsed);
                    }
                    return mine;
                });
            }
            CacheStatistics first = counters == null ? null : counters.snapshot();
            long start = System.nanoTime();
            List<Future<Map<Operation, List<Long>>>> futures = executor.invokeAll(tasks);
            long wall = System.nanoTime() - start;
            Map<Operation, List<Long>> merged = new EnumMap<>(Operation.class);
            for (Future<Map<Operation, List<Long>>> future : futures) {
                try {
                    future.get().forEach((op, l) -> merged.computeIfAbsent(op, k -> new ArrayList<>()).addAll(l));
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
                }
            }
            CacheStatistics delta = counters == null ? null : counters.snapshot().since(first);
            return new RunResult(label, threads, toArrays(merged), wall, new long[0], null, delta, Map.of(), Map.of());
        } finally {
            executor.shutdownNow();
        }
    }

    private static Map<Operation, long[]> toArrays(Map<Operation, List<Long>> lists) {
        Map<Operation, long[]> arrays = new EnumMap<>(Operation.class);
        lists.forEach((op, l) -> arrays.put(op, l.stream().mapToLong(Long::longValue).toArray()));
        return arrays;
    }

    /** Executes one step: a jOOQ {@link Result} for a read, the update count for a write. */
    static Object execute(DSLContext dsl, Step step) {
        return switch (step.operation()) {
            case PRODUCT_BY_ID -> dsl
                    .select(PRODUCT_ID, PRODUCT_NAME, PRODUCT_CATEGORY, PRODUCT_PRICE, PRODUCT_STOCK)
                    .from(PRODUCTS)
                    .where(PRODUCT_ID.eq(step.id()))
                    .fetch();
            case CUSTOMER_BY_ID -> dsl
                    .select(CUSTOMER_ID, CUSTOMER_NAME, CUSTOMER_EMAIL, CUSTOMER_COUNTRY, CUSTOMER_SINCE)
                    .from(CUSTOMERS)
                    .where(CUSTOMER_ID.eq(step.id()))
                    .fetch();
            case RECENT_ORDERS -> {
                Field<BigDecimal> total = sum(LINE_PRICE.mul(LINE_QUANTITY)).as("total");
                yield dsl
                        .select(ORDER_ID, ORDER_PLACED, ORDER_STATUS, count().as("lines"), total)
                        .from(ORDERS)
                        .join(ORDER_LINES).on(LINE_ORDER.eq(ORDER_ID))
                        .where(ORDER_CUSTOMER.eq(step.id()))
                        .groupBy(ORDER_ID, ORDER_PLACED, ORDER_STATUS)
                        .orderBy(ORDER_PLACED.desc(), ORDER_ID.desc())
                        .limit(5)
                        .fetch();
            }
            case CATEGORY_SEARCH -> dsl
                    .select(PRODUCT_ID, PRODUCT_NAME, PRODUCT_PRICE, PRODUCT_STOCK)
                    .from(PRODUCTS)
                    .where(PRODUCT_CATEGORY.eq(step.category()).and(PRODUCT_STOCK.gt(0)))
                    .orderBy(PRODUCT_PRICE, PRODUCT_ID)
                    .limit(20)
                    .fetch();
            case TOP_PRODUCTS -> {
                Field<BigDecimal> revenue = sum(LINE_PRICE.mul(LINE_QUANTITY)).as("revenue");
                yield dsl
                        .select(PRODUCT_ID, PRODUCT_NAME, sum(LINE_QUANTITY).as("units"), revenue)
                        .from(ORDER_LINES)
                        .join(PRODUCTS).on(PRODUCT_ID.eq(LINE_PRODUCT))
                        .where(PRODUCT_CATEGORY.eq(step.category()))
                        .groupBy(PRODUCT_ID, PRODUCT_NAME)
                        .orderBy(revenue.desc(), PRODUCT_ID)
                        .limit(10)
                        .fetch();
            }
            case UPDATE_STOCK -> dsl
                    .update(PRODUCTS)
                    .set(PRODUCT_STOCK, PRODUCT_STOCK.minus(1))
                    .where(PRODUCT_ID.eq(step.id()))
                    .execute();
            case INSERT_ORDER_LINE -> dsl
                    .insertInto(ORDER_LINES, LINE_ORDER, LINE_PRODUCT, LINE_QUANTITY, LINE_PRICE)
                    .values(step.id(), step.productId(), step.quantity(), step.price())
                    .execute();
        };
    }

    /** An answer as plain values: rows of column values for a read, {@code [[count]]} for a write. */
    static List<List<Object>> rows(Object answer) {
        if (answer instanceof Result<?> result) {
            List<List<Object>> rows = new ArrayList<>(result.size());
            for (Record record : result) {
                rows.add(Arrays.asList(record.intoArray()));
            }
            return rows;
        }
        return List.of(List.of(answer));
    }

    /**
     * A 64-bit hash over every value and its position. Values hash by equality, so a BigDecimal that came back as
     * 1.5 instead of 1.50 from the cache changes the fingerprint, as it should.
     */
    static long fingerprint(Object answer) {
        long hash = 0xcbf29ce484222325L;
        if (answer instanceof Result<?> result) {
            for (Record record : result) {
                for (int i = 0; i < record.size(); i++) {
                    hash = mix(hash, Objects.hashCode(record.get(i)));
                }
                hash = mix(hash, 0x1f);
            }
            hash = mix(hash, result.size());
        } else {
            hash = mix(hash, Objects.hashCode(answer));
        }
        return hash;
    }

    private static long mix(long hash, int value) {
        return (hash ^ value) * 0x100000001b3L;
    }
}
