package dev.sqlcache.sample;

/**
 * The statements a shop front issues, with how often each comes per thousand: reads dominate, about 2% write.
 * The weights are what make the workload "read-heavy"; change them here and both runs change alike.
 */
enum Operation {
    PRODUCT_BY_ID("product by id", 400, false),
    CUSTOMER_BY_ID("customer by id", 200, false),
    RECENT_ORDERS("customer's recent orders", 160, false),
    CATEGORY_SEARCH("products in category", 180, false),
    TOP_PRODUCTS("top products of category", 40, false),
    UPDATE_STOCK("update product stock", 8, true),
    INSERT_ORDER_LINE("insert order line", 12, true);

    private final String label;
    private final int perThousand;
    private final boolean write;

    Operation(String label, int perThousand, boolean write) {
        this.label = label;
        this.perThousand = perThousand;
        this.write = write;
    }

    String label() {
        return label;
    }

    int perThousand() {
        return perThousand;
    }

    boolean isWrite() {
        return write;
    }

    /** The operation a uniform draw in {@code 0..999} lands on. */
    static Operation forDraw(int draw) {
        int upTo = 0;
        for (Operation operation : values()) {
            upTo += operation.perThousand;
            if (draw < upTo) {
                return operation;
            }
        }
        throw new IllegalArgumentException("draw " + draw + " is not in 0.." + (upTo - 1));
    }
}
