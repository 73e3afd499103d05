package dev.sqlcache.bench.throughput;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * Primary-key reads: {@value #ROWS} rows of a narrow table, 80% of the operations on 20% of the rows; read-only, or
 * with a share of single-row updates of the same skew.
 */
final class PkReadsWorkload implements Workload {
    static final int ROWS = 10_000;

    private final int writePercent;
    private final KeyDistribution keys = KeyDistribution.hotspot(ROWS, 0.2, 0.8);

    PkReadsWorkload(int writePercent) {
        this.writePercent = writePercent;
    }

    @Override
    public String name() {
        return writePercent == 0 ? "pk-reads-ro" : "pk-reads-" + writePercent + "w";
    }

    @Override
    public String description() {
        return "primary-key reads of pk_items (" + ROWS + " rows, 4 columns), "
                + (writePercent == 0 ? "read-only" : writePercent + "% single-row updates") + "; keys " + keys;
    }

    @Override
    public int writePercent() {
        return writePercent;
    }

    @Override
    public String dataset() {
        return "pk-reads";
    }

    @Override
    public List<String> tables() {
        return List.of("pk_items");
    }

    @Override
    public void load(Connection connection) throws SQLException {
        TableLoader.recreate(connection, tables(), List.of("create table pk_items (id integer primary key,"
                + " name varchar(40) not null, price numeric(10,2) not null, stock integer not null)"));
        UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(2L);
        TableLoader.insert(connection, "insert into pk_items values (?, ?, ?, ?)", ROWS, (ps, row) -> {
            ps.setInt(1, row);
            ps.setString(2, "item " + TableLoader.text(random, 20));
            ps.setBigDecimal(3, BigDecimal.valueOf(100 + random.nextInt(1_000_000), 2));
            ps.setInt(4, random.nextInt(1000));
        });
    }

    @Override
    public Client client(Connection connection) throws SQLException {
        PreparedStatement read = connection.prepareStatement(
                "select id, name, price, stock from pk_items where id = ?");
        PreparedStatement write = connection.prepareStatement("update pk_items set stock = ? where id = ?");
        return new Client() {
            private UniformRandomProvider random;
            private IntSupplier key;

            @Override
            public void use(UniformRandomProvider random) {
                this.random = random;
                this.key = keys.sampler(random);
            }

            @Override
            public boolean execute(OpCounter counter) throws SQLException {
                if (writePercent > 0 && random.nextInt(100) < writePercent) {
                    write.setInt(1, random.nextInt(1000));
                    write.setInt(2, key.getAsInt());
                    write.executeUpdate();
                    counter.update();
                    return true;
                }
                read.setInt(1, key.getAsInt());
                try (ResultSet rs = read.executeQuery()) {
                    long rows = 0;
                    long hash = 0;
                    while (rs.next()) {
                        rows++;
                        hash += rs.getInt(1) + rs.getString(2).length() + rs.getBigDecimal(3).scale() + rs.getInt(4);
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
