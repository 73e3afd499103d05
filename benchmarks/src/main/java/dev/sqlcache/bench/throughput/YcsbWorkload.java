package dev.sqlcache.bench.throughput;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * YCSB-like: one key/value table of {@value #RECORDS} records of ten 100-character fields (YCSB's 1 KB record),
 * read by key (all fields) and updated by key (one random field, as YCSB's default {@code writeallfields=false}),
 * keys Zipfian with YCSB's constant. Read/update mixes 100/0, 90/10 and 50/50 (YCSB's workloads C, near B, A).
 */
final class YcsbWorkload implements Workload {
    static final int RECORDS = 10_000;
    static final int FIELDS = 10;
    static final int FIELD_LENGTH = 100;
    /** Updates draw their new value from a fixed pool, so the client allocates nothing per operation. */
    private static final int VALUE_POOL = 256;

    private final int readPercent;
    private final KeyDistribution keys = KeyDistribution.zipfian(RECORDS);
    private final String[] values;

    YcsbWorkload(int readPercent) {
        this.readPercent = readPercent;
        UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(17L);
        values = new String[VALUE_POOL];
        for (int i = 0; i < VALUE_POOL; i++) {
            values[i] = TableLoader.text(random, FIELD_LENGTH);
        }
    }

    @Override
    public String name() {
        return "ycsb-" + readPercent + "-" + (100 - readPercent);
    }

    @Override
    public String description() {
        return "YCSB-like: usertable of " + RECORDS + " rows x " + FIELDS + " fields of " + FIELD_LENGTH
                + " chars; " + readPercent + "% read all fields by key, " + (100 - readPercent)
                + "% update one random field by key; keys " + keys;
    }

    @Override
    public int writePercent() {
        return 100 - readPercent;
    }

    @Override
    public String dataset() {
        return "ycsb";
    }

    @Override
    public List<String> tables() {
        return List.of("usertable");
    }

    @Override
    public void load(Connection connection) throws SQLException {
        StringBuilder ddl = new StringBuilder("create table usertable (ycsb_key integer primary key");
        StringBuilder insert = new StringBuilder("insert into usertable values (?");
        for (int f = 0; f < FIELDS; f++) {
            ddl.append(", field").append(f).append(" varchar(").append(FIELD_LENGTH).append(") not null");
            insert.append(", ?");
        }
        TableLoader.recreate(connection, tables(), List.of(ddl.append(')').toString()));
        UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(1L);
        TableLoader.insert(connection, insert.append(')').toString(), RECORDS, (ps, row) -> {
            ps.setInt(1, row);
            for (int f = 0; f < FIELDS; f++) {
                ps.setString(2 + f, TableLoader.text(random, FIELD_LENGTH));
            }
        });
    }

    @Override
    public Client client(Connection connection) throws SQLException {
        return new YcsbClient(connection);
    }

    private final class YcsbClient implements Client {
        private final PreparedStatement read;
        private final List<PreparedStatement> updates = new ArrayList<>();
        private UniformRandomProvider random;
        private IntSupplier key;

        YcsbClient(Connection connection) throws SQLException {
            StringBuilder select = new StringBuilder("select ycsb_key");
            for (int f = 0; f < FIELDS; f++) {
                select.append(", field").append(f);
            }
            read = connection.prepareStatement(select.append(" from usertable where ycsb_key = ?").toString());
            for (int f = 0; f < FIELDS; f++) {
                updates.add(connection.prepareStatement("update usertable set field" + f + " = ? where ycsb_key = ?"));
            }
        }

        @Override
        public void use(UniformRandomProvider random) {
            this.random = random;
            this.key = keys.sampler(random);
        }

        @Override
        public boolean execute(OpCounter counter) throws SQLException {
            if (random.nextInt(100) < readPercent) {
                read.setInt(1, key.getAsInt());
                try (ResultSet rs = read.executeQuery()) {
                    long rows = 0;
                    long hash = 0;
                    while (rs.next()) {
                        rows++;
                        hash += rs.getInt(1);
                        for (int f = 0; f < FIELDS; f++) {
                            hash += rs.getString(2 + f).length();
                        }
                    }
                    counter.select(rows, hash);
                }
                return false;
            }
            PreparedStatement update = updates.get(random.nextInt(FIELDS));
            update.setString(1, values[random.nextInt(VALUE_POOL)]);
            update.setInt(2, key.getAsInt());
            update.executeUpdate();
            counter.update();
            return true;
        }

        @Override
        public void close() throws SQLException {
            read.close();
            for (PreparedStatement update : updates) {
                update.close();
            }
        }
    }
}
