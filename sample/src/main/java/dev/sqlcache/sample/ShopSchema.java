package dev.sqlcache.sample;

import org.jooq.BatchBindStep;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Random;

import static org.jooq.impl.DSL.constraint;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.unquotedName;
import static org.jooq.impl.DSL.table;

/**
 * The shop the sample works on: customers, products, orders and order lines with foreign keys and the indexes a
 * real application would have, filled from a seeded {@link Random} so that two databases built with the same seed
 * hold the same rows (the direct and the cached run must start from identical data for their results to be
 * compared).
 */
final class ShopSchema {

    // Unquoted names throughout: H2 folds them to upper case in DDL and queries alike, and the SQL in logs and
    // cache keys reads like hand-written SQL. (jOOQ quotes plain names by default, which would make them
    // case-sensitive.)
    static final Table<Record> CUSTOMERS = table(unquotedName("customers"));
    static final Field<Integer> CUSTOMER_ID = field(unquotedName("customers", "id"), SQLDataType.INTEGER);
    static final Field<String> CUSTOMER_NAME = field(unquotedName("customers", "name"), SQLDataType.VARCHAR(100));
    static final Field<String> CUSTOMER_EMAIL = field(unquotedName("customers", "email"), SQLDataType.VARCHAR(200));
    static final Field<String> CUSTOMER_COUNTRY = field(unquotedName("customers", "country"), SQLDataType.CHAR(2));
    static final Field<LocalDateTime> CUSTOMER_SINCE = field(unquotedName("customers", "created_at"),
            SQLDataType.LOCALDATETIME(0));

    static final Table<Record> PRODUCTS = table(unquotedName("products"));
    static final Field<Integer> PRODUCT_ID = field(unquotedName("products", "id"), SQLDataType.INTEGER);
    static final Field<String> PRODUCT_NAME = field(unquotedName("products", "name"), SQLDataType.VARCHAR(100));
    static final Field<String> PRODUCT_CATEGORY = field(unquotedName("products", "category"), SQLDataType.VARCHAR(40));
    static final Field<BigDecimal> PRODUCT_PRICE = field(unquotedName("products", "price"), SQLDataType.DECIMAL(10, 2));
    static final Field<Integer> PRODUCT_STOCK = field(unquotedName("products", "stock"), SQLDataType.INTEGER);

    static final Table<Record> ORDERS = table(unquotedName("orders"));
    static final Field<Integer> ORDER_ID = field(unquotedName("orders", "id"), SQLDataType.INTEGER);
    static final Field<Integer> ORDER_CUSTOMER = field(unquotedName("orders", "customer_id"), SQLDataType.INTEGER);
    static final Field<LocalDateTime> ORDER_PLACED = field(unquotedName("orders", "ordered_at"), SQLDataType.LOCALDATETIME(0));
    static final Field<String> ORDER_STATUS = field(unquotedName("orders", "status"), SQLDataType.VARCHAR(16));

    static final Table<Record> ORDER_LINES = table(unquotedName("order_lines"));
    static final Field<Long> LINE_ID = field(unquotedName("order_lines", "id"), SQLDataType.BIGINT);
    static final Field<Integer> LINE_ORDER = field(unquotedName("order_lines", "order_id"), SQLDataType.INTEGER);
    static final Field<Integer> LINE_PRODUCT = field(unquotedName("order_lines", "product_id"), SQLDataType.INTEGER);
    static final Field<Integer> LINE_QUANTITY = field(unquotedName("order_lines", "quantity"), SQLDataType.INTEGER);
    static final Field<BigDecimal> LINE_PRICE = field(unquotedName("order_lines", "unit_price"), SQLDataType.DECIMAL(10, 2));

    static final List<String> CATEGORIES = List.of("books", "music", "films", "games", "toys", "garden", "kitchen",
            "tools", "sports", "outdoor", "office", "computers", "phones", "cameras", "audio", "beauty", "health",
            "pets", "baby", "grocery");
    private static final List<String> COUNTRIES = List.of("DE", "FR", "NL", "SE", "PL", "IT", "ES", "GB", "US",
            "CA");
    private static final List<String> STATUSES = List.of("NEW", "PAID", "SHIPPED", "DELIVERED");
    private static final List<String> ADJECTIVES = List.of("Red", "Compact", "Classic", "Deluxe", "Smart", "Eco",
            "Pro", "Mini", "Rugged", "Quiet");
    private static final List<String> NOUNS = List.of("Lamp", "Kettle", "Drill", "Novel", "Headset", "Backpack",
            "Speaker", "Puzzle", "Mug", "Charger", "Tent", "Blender");
    private static final LocalDateTime EPOCH = LocalDateTime.of(2024, 1, 1, 0, 0);
    private static final int BATCH = 2_000;

    private ShopSchema() {
    }

    /** A jOOQ context for the shop over any data source, direct or through sqlcache. */
    static DSLContext dsl(DataSource dataSource) {
        return DSL.using(dataSource, SQLDialect.H2);
    }

    /** What {@link #create} built. */
    record Contents(int customers, int products, int orders, int orderLines) {
    }

    /** Creates the tables and fills them; the same seed gives the same rows. */
    static Contents create(DSLContext dsl, ShopSize size, long seed) {
        createTables(dsl);
        addIndexes(dsl);
        Random random = new Random(seed);
        fillCustomers(dsl, size, random);
        fillProducts(dsl, size, random);
        fillOrders(dsl, size, random);
        int lines = fillOrderLines(dsl, size, random);
        addForeignKeys(dsl);
        return new Contents(size.customers(), size.products(), size.orders(), lines);
    }

    private static void createTables(DSLContext dsl) {
        dsl.createTable(CUSTOMERS)
                .column(CUSTOMER_ID.getUnqualifiedName(), SQLDataType.INTEGER.notNull())
                .column(CUSTOMER_NAME.getUnqualifiedName(), SQLDataType.VARCHAR(100).notNull())
                .column(CUSTOMER_EMAIL.getUnqualifiedName(), SQLDataType.VARCHAR(200).notNull())
                .column(CUSTOMER_COUNTRY.getUnqualifiedName(), SQLDataType.CHAR(2).notNull())
                .column(CUSTOMER_SINCE.getUnqualifiedName(), SQLDataType.LOCALDATETIME(0).notNull())
                .constraints(constraint(unquotedName("pk_customers")).primaryKey(CUSTOMER_ID.getUnqualifiedName()))
                .execute();
        dsl.createTable(PRODUCTS)
                .column(PRODUCT_ID.getUnqualifiedName(), SQLDataType.INTEGER.notNull())
                .column(PRODUCT_NAME.getUnqualifiedName(), SQLDataType.VARCHAR(100).notNull())
                .column(PRODUCT_CATEGORY.getUnqualifiedName(), SQLDataType.VARCHAR(40).notNull())
                .column(PRODUCT_PRICE.getUnqualifiedName(), SQLDataType.DECIMAL(10, 2).notNull())
                .column(PRODUCT_STOCK.getUnqualifiedName(), SQLDataType.INTEGER.notNull())
                .constraints(constraint(unquotedName("pk_products")).primaryKey(PRODUCT_ID.getUnqualifiedName()))
                .execute();
        dsl.createTable(ORDERS)
                .column(ORDER_ID.getUnqualifiedName(), SQLDataType.INTEGER.notNull())
                .column(ORDER_CUSTOMER.getUnqualifiedName(), SQLDataType.INTEGER.notNull())
                .column(ORDER_PLACED.getUnqualifiedName(), SQLDataType.LOCALDATETIME(0).notNull())
                .column(ORDER_STATUS.getUnqualifiedName(), SQLDataType.VARCHAR(16).notNull())
                .constraints(constraint(unquotedName("pk_orders")).primaryKey(ORDER_ID.getUnqualifiedName()))
                .execute();
        dsl.createTable(ORDER_LINES)
                .column(LINE_ID.getUnqualifiedName(), SQLDataType.BIGINT.notNull().identity(true))
                .column(LINE_ORDER.getUnqualifiedName(), SQLDataType.INTEGER.notNull())
                .column(LINE_PRODUCT.getUnqualifiedName(), SQLDataType.INTEGER.notNull())
                .column(LINE_QUANTITY.getUnqualifiedName(), SQLDataType.INTEGER.notNull())
                .column(LINE_PRICE.getUnqualifiedName(), SQLDataType.DECIMAL(10, 2).notNull())
                .constraints(constraint(unquotedName("pk_order_lines")).primaryKey(LINE_ID.getUnqualifiedName()))
                .execute();
    }

    private static void addIndexes(DSLContext dsl) {
        // The lookups the workload makes: products of a category by price, a customer's orders newest first, an
        // order's lines, a product's lines. Created before the foreign keys, which then use them rather than
        // making their own.
        dsl.createIndex(unquotedName("ix_products_category"))
                .on(PRODUCTS.getQualifiedName(), PRODUCT_CATEGORY.getUnqualifiedName(),
                        PRODUCT_PRICE.getUnqualifiedName())
                .execute();
        dsl.createIndex(unquotedName("ix_orders_customer"))
                .on(ORDERS.getQualifiedName(), ORDER_CUSTOMER.getUnqualifiedName(), ORDER_PLACED.getUnqualifiedName())
                .execute();
        dsl.createIndex(unquotedName("ix_lines_order"))
                .on(ORDER_LINES.getQualifiedName(), LINE_ORDER.getUnqualifiedName())
                .execute();
        dsl.createIndex(unquotedName("ix_lines_product"))
                .on(ORDER_LINES.getQualifiedName(), LINE_PRODUCT.getUnqualifiedName())
                .execute();
    }

    /**
     * Foreign keys come after the rows: one check per constraint over the loaded tables is much cheaper than one per
     * inserted row, and the sample should spend its time on the workload, not on loading.
     */
    private static void addForeignKeys(DSLContext dsl) {
        dsl.alterTable(ORDERS).add(constraint(unquotedName("fk_orders_customer"))
                .foreignKey(ORDER_CUSTOMER.getUnqualifiedName())
                .references(CUSTOMERS.getQualifiedName(), CUSTOMER_ID.getUnqualifiedName())).execute();
        dsl.alterTable(ORDER_LINES).add(constraint(unquotedName("fk_lines_order"))
                .foreignKey(LINE_ORDER.getUnqualifiedName())
                .references(ORDERS.getQualifiedName(), ORDER_ID.getUnqualifiedName())).execute();
        dsl.alterTable(ORDER_LINES).add(constraint(unquotedName("fk_lines_product"))
                .foreignKey(LINE_PRODUCT.getUnqualifiedName())
                .references(PRODUCTS.getQualifiedName(), PRODUCT_ID.getUnqualifiedName())).execute();
    }

    private static void fillCustomers(DSLContext dsl, ShopSize size, Random random) {
        BatchBindStep batch = null;
        for (int id = 1; id <= size.customers(); id++) {
            if (batch == null) {
                batch = dsl.batch(dsl.insertInto(CUSTOMERS, CUSTOMER_ID, CUSTOMER_NAME, CUSTOMER_EMAIL,
                        CUSTOMER_COUNTRY, CUSTOMER_SINCE).values((Integer) null, null, null, null, null));
            }
            batch.bind(id, "Customer " + id, "customer" + id + "@example.com", pick(COUNTRIES, random),
                    EPOCH.minusMinutes(random.nextInt(3 * 365 * 24 * 60)));
            batch = flushIfFull(batch, id);
        }
        flush(batch);
    }

    private static void fillProducts(DSLContext dsl, ShopSize size, Random random) {
        BatchBindStep batch = null;
        for (int id = 1; id <= size.products(); id++) {
            if (batch == null) {
                batch = dsl.batch(dsl.insertInto(PRODUCTS, PRODUCT_ID, PRODUCT_NAME, PRODUCT_CATEGORY, PRODUCT_PRICE,
                        PRODUCT_STOCK).values((Integer) null, null, null, null, null));
            }
            batch.bind(id, pick(ADJECTIVES, random) + " " + pick(NOUNS, random) + " " + id,
                    pick(CATEGORIES, random), price(random), 100 + random.nextInt(400));
            batch = flushIfFull(batch, id);
        }
        flush(batch);
    }

    private static void fillOrders(DSLContext dsl, ShopSize size, Random random) {
        BatchBindStep batch = null;
        for (int id = 1; id <= size.orders(); id++) {
            if (batch == null) {
                batch = dsl.batch(dsl.insertInto(ORDERS, ORDER_ID, ORDER_CUSTOMER, ORDER_PLACED, ORDER_STATUS)
                        .values((Integer) null, null, null, null));
            }
            batch.bind(id, 1 + random.nextInt(size.customers()),
                    EPOCH.plusMinutes(random.nextInt(365 * 24 * 60)), pick(STATUSES, random));
            batch = flushIfFull(batch, id);
        }
        flush(batch);
    }

    /** The line ids come from the identity column, so that later inserts by the workload do not collide. */
    private static int fillOrderLines(DSLContext dsl, ShopSize size, Random random) {
        BatchBindStep batch = null;
        int lines = 0;
        for (int order = 1; order <= size.orders(); order++) {
            int count = 1 + random.nextInt(5);
            for (int i = 0; i < count; i++) {
                if (batch == null) {
                    batch = dsl.batch(dsl.insertInto(ORDER_LINES, LINE_ORDER, LINE_PRODUCT, LINE_QUANTITY, LINE_PRICE)
                            .values((Integer) null, null, null, null));
                }
                batch.bind(order, 1 + random.nextInt(size.products()), 1 + random.nextInt(5), price(random));
                batch = flushIfFull(batch, ++lines);
            }
        }
        flush(batch);
        return lines;
    }

    private static BatchBindStep flushIfFull(BatchBindStep batch, int rowsSoFar) {
        if (rowsSoFar % BATCH == 0) {
            batch.execute();
            return null;
        }
        return batch;
    }

    private static void flush(BatchBindStep batch) {
        if (batch != null && batch.size() > 0) {
            batch.execute();
        }
    }

    static BigDecimal price(Random random) {
        return BigDecimal.valueOf(99 + random.nextInt(49_900), 2);
    }

    private static <T> T pick(List<T> values, Random random) {
        return values.get(random.nextInt(values.size()));
    }
}
