package dev.sqlcache.sample;

/**
 * How many rows the shop gets. Order lines are drawn per order (one to five, three on average), so their count is
 * about three times the orders and is known exactly only after {@link ShopSchema#create}.
 */
record ShopSize(int customers, int products, int orders) {

    /** What the sample runs on: big enough that the aggregations cost the database real work. */
    static final ShopSize SAMPLE = new ShopSize(5_000, 2_000, 20_000);

    ShopSize {
        if (customers < 1 || products < 1 || orders < 1) {
            throw new IllegalArgumentException("a shop needs at least one customer, product and order");
        }
    }
}
