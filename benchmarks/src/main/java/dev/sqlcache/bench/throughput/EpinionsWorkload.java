package dev.sqlcache.bench.throughput;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Epinions-like, after OLTPBench/BenchBase's Epinions: users, items, reviews of items by users and trust between
 * users, joined by foreign keys. 90% reads split evenly over BenchBase's five read transactions (reviews of an
 * item with the item, reviews by a user with the user, an item's average rating among the reviewers a user
 * trusts, an item's average rating, an item's reviews plus a user's trust list), 10% writes split over its four
 * updates (user name, item title, review rating, trust). Users and items are picked uniformly, as BenchBase does;
 * who reviews what and whom a user trusts are Zipfian. Unlike BenchBase, the review and trust updates pick an
 * existing row, so every write changes one row.
 */
final class EpinionsWorkload implements Workload {
    static final int USERS = 2_000;
    static final int ITEMS = 1_000;
    static final int REVIEWS = 20_000;
    static final int TRUSTS = 20_000;
    private static final int NAME_LENGTH = 24;
    private static final int TITLE_LENGTH = 128;
    private static final int VALUE_POOL = 256;

    /** {@code trustSource[i]} trusts (or distrusts) {@code trustTarget[i]}; pairs are unique. */
    private final int[] trustSource = new int[TRUSTS];
    private final int[] trustTarget = new int[TRUSTS];
    private final String[] names = new String[VALUE_POOL];
    private final String[] titles = new String[VALUE_POOL];

    EpinionsWorkload() {
        UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(3L);
        IntSupplier trusted = KeyDistribution.zipfian(USERS).sampler(random);
        Set<Long> pairs = new HashSet<>();
        for (int i = 0; i < TRUSTS; ) {
            int source = 1 + random.nextInt(USERS);
            int target = trusted.getAsInt();
            if (source != target && pairs.add((long) source << 32 | target)) {
                trustSource[i] = source;
                trustTarget[i] = target;
                i++;
            }
        }
        for (int i = 0; i < VALUE_POOL; i++) {
            names[i] = TableLoader.text(random, NAME_LENGTH);
            titles[i] = TableLoader.text(random, TITLE_LENGTH);
        }
    }

    @Override
    public String name() {
        return "epinions-90-10";
    }

    @Override
    public String description() {
        return "Epinions-like: useracct (" + USERS + "), item (" + ITEMS + "), review (" + REVIEWS + "), trust ("
                + TRUSTS + "), foreign keys; 90% reads over BenchBase's 5 read transactions (joins, averages),"
                + " 10% single-row updates over its 4 update transactions; users and items uniform";
    }

    @Override
    public int writePercent() {
        return 10;
    }

    @Override
    public String dataset() {
        return "epinions";
    }

    @Override
    public List<String> tables() {
        return List.of("useracct", "item", "review", "trust");
    }

    @Override
    public void load(Connection connection) throws SQLException {
        TableLoader.recreate(connection, tables(), List.of(
                "create table useracct (u_id integer primary key, name varchar(128) not null)",
                "create table item (i_id integer primary key, title varchar(128) not null)",
                "create table review (a_id integer primary key,"
                        + " u_id integer not null references useracct (u_id) on delete cascade,"
                        + " i_id integer not null references item (i_id) on delete cascade,"
                        + " rating integer not null)",
                "create index review_u on review (u_id)",
                "create index review_i on review (i_id)",
                "create table trust (source_u_id integer not null references useracct (u_id) on delete cascade,"
                        + " target_u_id integer not null references useracct (u_id) on delete cascade,"
                        + " trust integer not null, primary key (source_u_id, target_u_id))",
                "create index trust_target on trust (target_u_id)"));
        UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(5L);
        TableLoader.insert(connection, "insert into useracct values (?, ?)", USERS, (ps, row) -> {
            ps.setInt(1, row);
            ps.setString(2, TableLoader.text(random, NAME_LENGTH));
        });
        TableLoader.insert(connection, "insert into item values (?, ?)", ITEMS, (ps, row) -> {
            ps.setInt(1, row);
            ps.setString(2, TableLoader.text(random, TITLE_LENGTH));
        });
        IntSupplier reviewer = KeyDistribution.zipfian(USERS).sampler(random);
        IntSupplier reviewed = KeyDistribution.zipfian(ITEMS).sampler(random);
        TableLoader.insert(connection, "insert into review values (?, ?, ?, ?)", REVIEWS, (ps, row) -> {
            ps.setInt(1, row);
            ps.setInt(2, reviewer.getAsInt());
            ps.setInt(3, reviewed.getAsInt());
            ps.setInt(4, random.nextInt(5));
        });
        TableLoader.insert(connection, "insert into trust values (?, ?, ?)", TRUSTS, (ps, row) -> {
            ps.setInt(1, trustSource[row - 1]);
            ps.setInt(2, trustTarget[row - 1]);
            ps.setInt(3, random.nextInt(2));
        });
    }

    @Override
    public Client client(Connection connection) throws SQLException {
        return new EpinionsClient(connection);
    }

    private final class EpinionsClient implements Client {
        private final PreparedStatement reviewsOfItem;
        private final PreparedStatement reviewsByUser;
        private final PreparedStatement averageByTrusted;
        private final PreparedStatement averageOfItem;
        private final PreparedStatement itemReviews;
        private final PreparedStatement trustList;
        private final PreparedStatement updateUser;
        private final PreparedStatement updateItem;
        private final PreparedStatement updateReview;
        private final PreparedStatement updateTrust;
        private UniformRandomProvider random;

        EpinionsClient(Connection c) throws SQLException {
            reviewsOfItem = c.prepareStatement("select r.a_id, r.u_id, r.rating, i.i_id, i.title"
                    + " from review r join item i on i.i_id = r.i_id where r.i_id = ?"
                    + " order by r.rating desc, r.a_id limit 10");
            reviewsByUser = c.prepareStatement("select r.a_id, r.i_id, r.rating, u.u_id, u.name"
                    + " from review r join useracct u on u.u_id = r.u_id where r.u_id = ?"
                    + " order by r.rating desc, r.a_id limit 10");
            averageByTrusted = c.prepareStatement("select avg(r.rating) from review r"
                    + " join trust t on r.u_id = t.target_u_id where r.i_id = ? and t.source_u_id = ?");
            averageOfItem = c.prepareStatement("select avg(r.rating) from review r where r.i_id = ?");
            itemReviews = c.prepareStatement("select a_id, u_id, i_id, rating from review where i_id = ?");
            trustList = c.prepareStatement(
                    "select source_u_id, target_u_id, trust from trust where source_u_id = ?");
            updateUser = c.prepareStatement("update useracct set name = ? where u_id = ?");
            updateItem = c.prepareStatement("update item set title = ? where i_id = ?");
            updateReview = c.prepareStatement("update review set rating = ? where a_id = ?");
            updateTrust = c.prepareStatement(
                    "update trust set trust = ? where source_u_id = ? and target_u_id = ?");
        }

        @Override
        public void use(UniformRandomProvider random) {
            this.random = random;
        }

        private int user() {
            return 1 + random.nextInt(USERS);
        }

        private int item() {
            return 1 + random.nextInt(ITEMS);
        }

        @Override
        public boolean execute(OpCounter counter) throws SQLException {
            int choice = random.nextInt(1000);
            if (choice < 180) {
                reviewsOfItem.setInt(1, item());
                read(reviewsOfItem, counter);
            } else if (choice < 360) {
                reviewsByUser.setInt(1, user());
                read(reviewsByUser, counter);
            } else if (choice < 540) {
                averageByTrusted.setInt(1, item());
                averageByTrusted.setInt(2, user());
                read(averageByTrusted, counter);
            } else if (choice < 720) {
                averageOfItem.setInt(1, item());
                read(averageOfItem, counter);
            } else if (choice < 900) {
                itemReviews.setInt(1, item());
                read(itemReviews, counter);
                trustList.setInt(1, user());
                read(trustList, counter);
            } else if (choice < 925) {
                updateUser.setString(1, names[random.nextInt(VALUE_POOL)]);
                updateUser.setInt(2, user());
                write(updateUser, counter);
                return true;
            } else if (choice < 950) {
                updateItem.setString(1, titles[random.nextInt(VALUE_POOL)]);
                updateItem.setInt(2, item());
                write(updateItem, counter);
                return true;
            } else if (choice < 975) {
                updateReview.setInt(1, random.nextInt(5));
                updateReview.setInt(2, 1 + random.nextInt(REVIEWS));
                write(updateReview, counter);
                return true;
            } else {
                int pair = random.nextInt(TRUSTS);
                updateTrust.setInt(1, random.nextInt(2));
                updateTrust.setInt(2, trustSource[pair]);
                updateTrust.setInt(3, trustTarget[pair]);
                write(updateTrust, counter);
                return true;
            }
            return false;
        }

        /** Reads every column of every row as a string, as a generic data layer would. */
        private void read(PreparedStatement statement, OpCounter counter) throws SQLException {
            try (ResultSet rs = statement.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                long rows = 0;
                long hash = 0;
                while (rs.next()) {
                    rows++;
                    for (int c = 1; c <= columns; c++) {
                        String value = rs.getString(c);
                        hash += value == null ? 0 : value.length();
                    }
                }
                counter.select(rows, hash);
            }
        }

        private void write(PreparedStatement statement, OpCounter counter) throws SQLException {
            statement.executeUpdate();
            counter.update();
        }

        @Override
        public void close() throws SQLException {
            for (PreparedStatement s : List.of(reviewsOfItem, reviewsByUser, averageByTrusted, averageOfItem,
                    itemReviews, trustList, updateUser, updateItem, updateReview, updateTrust)) {
                s.close();
            }
        }
    }
}
