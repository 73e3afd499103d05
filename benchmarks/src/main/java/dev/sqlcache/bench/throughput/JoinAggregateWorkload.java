package dev.sqlcache.bench.throughput;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * A join and aggregate over {@value #ORDERS} orders: revenue per customer region for one product category, one
 * SQL text with {@value #CATEGORIES} category values, so {@value #CATEGORIES} distinct queries, chosen uniformly.
 * Read-only, or with a share of single-row order updates (uniform over all orders), each of which changes the
 * answer of exactly one of the queries but invalidates the whole {@code orders} table for a table-level cache.
 */
final class JoinAggregateWorkload implements Workload {
    static final int ORDERS = 200_000;
    static final int CUSTOMERS = 2_000;
    static final int PRODUCTS = 1_000;
    static final int CATEGORIES = 20;
    static final int REGIONS = 10;

    static final String QUERY = "select c.region, count(*), sum(o.amount), sum(o.quantity)"
            + " from orders o join customers c on c.id = o.customer_id join products p on p.id = o.product_id"
            + " where p.category = ? group by c.region order by c.region";

    private final int writePercent;
    private final int orders;

    JoinAggregateWorkload(int writePercent) {
        this(writePercent, ORDERS);
    }

    /** With fewer orders: for the harness's own tests only, where the figure does not matter. */
    JoinAggregateWorkload(int writePercent, int orders) {
        this.writePercent = writePercent;
        this.orders = orders;
    }

    @Override
    public String name() {
        return writePercent == 0 ? "join-agg-ro" : "join-agg-" + writePercent + "w";
    }

    @Override
    public String description() {
        return "join + aggregate: orders (" + orders + ") x customers (" + CUSTOMERS + ", " + REGIONS
                + " regions) x products (" + PRODUCTS + ", " + CATEGORIES + " categories), revenue per region for"
                + " one category (" + CATEGORIES + " distinct queries, uniform); "
                + (writePercent == 0 ? "read-only" : writePercent + "% single-row order updates (uniform)");
    }

    @Override
    public int writePercent() {
        return writePercent;
    }

    @Override
    public String dataset() {
        return "join-agg-" + orders;
    }

    @Override
    public List<String> tables() {
        return List.of("customers", "products", "orders");
    }

    @Override
    public void load(Connection connection) throws SQLException {
        TableLoader.recreate(connection, tables(), List.of(
                "create table customers (id integer primary key, name varchar(40) not null,"
                        + " region varchar(20) not null)",
                "create table products (id integer primary key, name varchar(40) not null,"
                        + " category integer not null)",
                "create table orders (id integer primary key,"
                        + " customer_id integer not null references customers (id),"
                        + " product_id integer not null references products (id),"
                        + " quantity integer not null, amount numeric(12,2) not null, status varchar(12) not null)",
                "create index orders_product on orders (product_id)",
                "create index orders_customer on orders (customer_id)",
                "create index products_category on products (category)"));
        UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(4L);
        TableLoader.insert(connection, "insert into customers values (?, ?, ?)", CUSTOMERS, (ps, row) -> {
            ps.setInt(1, row);
            ps.setString(2, "customer " + row);
            ps.setString(3, "region-" + (1 + random.nextInt(REGIONS)));
        });
        TableLoader.insert(connection, "insert into products values (?, ?, ?)", PRODUCTS, (ps, row) -> {
            ps.setInt(1, row);
            ps.setString(2, "product " + row);
            ps.setInt(3, 1 + (row - 1) % CATEGORIES);
        });
        TableLoader.insert(connection, "insert into orders values (?, ?, ?, ?, ?, ?)", orders, (ps, row) -> {
            ps.setInt(1, row);
            ps.setInt(2, 1 + random.nextInt(CUSTOMERS));
            ps.setInt(3, 1 + random.nextInt(PRODUCTS));
            ps.setInt(4, 1 + random.nextInt(10));
            ps.setBigDecimal(5, BigDecimal.valueOf(100 + random.nextInt(100_000), 2));
            ps.setString(6, random.nextInt(5) == 0 ? "shipped" : "open");
        });
    }

    @Override
    public Client client(Connection connection) throws SQLException {
        return client(connection, connection);
    }

    @Override
    public Client client(Connection reads, Connection writes) throws SQLException {
        PreparedStatement read = reads.prepareStatement(QUERY);
        PreparedStatement write = writes.prepareStatement(
                "update orders set quantity = ?, amount = ? where id = ?");
        return new Client() {
            private UniformRandomProvider random;

            @Override
            public void use(UniformRandomProvider random) {
                this.random = random;
            }

            @Override
            public boolean execute(OpCounter counter) throws SQLException {
                if (writePercent > 0 && random.nextInt(100) < writePercent) {
                    write.setInt(1, 1 + random.nextInt(10));
                    write.setBigDecimal(2, BigDecimal.valueOf(100 + random.nextInt(100_000), 2));
                    write.setInt(3, 1 + random.nextInt(orders));
                    write.executeUpdate();
                    counter.update();
                    return true;
                }
                read.setInt(1, 1 + random.nextInt(CATEGORIES));
                try (ResultSet rs = read.executeQuery()) {
                    long rows = 0;
                    long hash = 0;
                    while (rs.next()) {
                        rows++;
                        hash += rs.getString(1).length() + rs.getLong(2) + rs.getBigDecimal(3).scale() + rs.getLong(4);
                    }
                    counter.select(rows, hash);
                }
                return false;
            }

            @Override
            public void close() throws SQLException {
                read.close();
                write.close();
            }
        };
    }
}
