package dev.sqlcache.consistency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The checker's tables. Every row carries a version that only grows, so that "at least as new as" can be checked:
 * <ul>
 *   <li>{@code cc_counter(id, val)}: counters, the value is the version;</li>
 *   <li>{@code cc_owner(id, balance, ver)} and {@code cc_account(id, owner_id, balance, ver)}: money moves between
 *       accounts and between an account and an owner; the sum over both tables is {@link #TOTAL} in every answer;</li>
 *   <li>{@code cc_slot(id, life)}: the life counter of parent {@code id}, odd while the parent exists;
 *       {@code cc_parent(id, life)} and {@code cc_child(id, parent_id, gen)} with {@code ON DELETE CASCADE}:
 *       a parent of life n has exactly {@link #CHILDREN} children of generation n.</li>
 * </ul>
 * and those of {@link KeyedSchema} (key-level invalidation) and {@link BankSchema} (snapshot transactions).
 */
public final class Schema {

    public static final int COUNTERS = 40;
    public static final int OWNERS = 8;
    public static final int ACCOUNTS = 64;
    public static final int SLOTS = 16;
    public static final int CHILDREN = 3;
    public static final long START_BALANCE = 1000;
    public static final long TOTAL = START_BALANCE * (OWNERS + ACCOUNTS);
    /** Added by transactions that always roll back: a reader seeing it was served uncommitted data. */
    public static final long POISON = 1_000_000_000L;

    // Watermark slots
    public static int counterSlot(int id) {
        return id;
    }

    public static int accountSlot(int id) {
        return COUNTERS + id;
    }

    public static int ownerSlot(int id) {
        return COUNTERS + ACCOUNTS + id;
    }

    public static int lifeSlot(int id) {
        return COUNTERS + ACCOUNTS + OWNERS + id;
    }

    /** The first slot of {@link KeyedSchema}'s keys. */
    static final int KEYED_BASE = COUNTERS + ACCOUNTS + OWNERS + SLOTS;

    public static final int WATERMARK_SLOTS = KEYED_BASE + KeyedSchema.SLOTS;

    private Schema() {
    }

    public static int ownerOf(int account) {
        return account % OWNERS;
    }

    /** Drops and recreates the tables with their initial rows, straight on the database. */
    public static void create(Connection raw) throws SQLException {
        raw.setAutoCommit(true);
        try (Statement s = raw.createStatement()) {
            for (String table : new String[] {"cc_child", "cc_parent", "cc_slot", "cc_account", "cc_owner", "cc_counter"}) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
            s.execute("CREATE TABLE cc_counter (id INT PRIMARY KEY, val BIGINT NOT NULL)");
            s.execute("CREATE TABLE cc_owner (id INT PRIMARY KEY, balance BIGINT NOT NULL, ver BIGINT NOT NULL)");
            s.execute("CREATE TABLE cc_account (id INT PRIMARY KEY, owner_id INT NOT NULL, balance BIGINT NOT NULL, "
                    + "ver BIGINT NOT NULL, FOREIGN KEY (owner_id) REFERENCES cc_owner (id))");
            s.execute("CREATE TABLE cc_slot (id INT PRIMARY KEY, life BIGINT NOT NULL)");
            s.execute("CREATE TABLE cc_parent (id INT PRIMARY KEY, life BIGINT NOT NULL)");
            s.execute("CREATE TABLE cc_child (id INT PRIMARY KEY, parent_id INT NOT NULL, gen BIGINT NOT NULL, "
                    + "FOREIGN KEY (parent_id) REFERENCES cc_parent (id) ON DELETE CASCADE)");
        }
        raw.setAutoCommit(false);
        insertAll(raw, "INSERT INTO cc_counter (id, val) VALUES (?, 0)", COUNTERS);
        try (PreparedStatement p = raw.prepareStatement("INSERT INTO cc_owner (id, balance, ver) VALUES (?, ?, 0)")) {
            for (int i = 0; i < OWNERS; i++) {
                p.setInt(1, i);
                p.setLong(2, START_BALANCE);
                p.executeUpdate();
            }
        }
        try (PreparedStatement p = raw.prepareStatement(
                "INSERT INTO cc_account (id, owner_id, balance, ver) VALUES (?, ?, ?, 0)")) {
            for (int i = 0; i < ACCOUNTS; i++) {
                p.setInt(1, i);
                p.setInt(2, ownerOf(i));
                p.setLong(3, START_BALANCE);
                p.executeUpdate();
            }
        }
        insertAll(raw, "INSERT INTO cc_slot (id, life) VALUES (?, 1)", SLOTS);
        insertAll(raw, "INSERT INTO cc_parent (id, life) VALUES (?, 1)", SLOTS);
        try (PreparedStatement p = raw.prepareStatement("INSERT INTO cc_child (id, parent_id, gen) VALUES (?, ?, 1)")) {
            for (int i = 0; i < SLOTS; i++) {
                for (int k = 0; k < CHILDREN; k++) {
                    p.setInt(1, childId(i, k));
                    p.setInt(2, i);
                    p.executeUpdate();
                }
            }
        }
        raw.commit();
        raw.setAutoCommit(true);
        KeyedSchema.create(raw);
        BankSchema.create(raw);
    }

    public static int childId(int parent, int k) {
        return parent * 10 + k;
    }

    private static void insertAll(Connection raw, String sql, int count) throws SQLException {
        try (PreparedStatement p = raw.prepareStatement(sql)) {
            for (int i = 0; i < count; i++) {
                p.setInt(1, i);
                p.executeUpdate();
            }
        }
    }

    /** Initial watermarks: every row exists at version 0 (counters, balances) or life 1 (parents). */
    public static void initWatermarks(Watermarks w) {
        for (int i = 0; i < WATERMARK_SLOTS; i++) {
            w.set(i, 0);
        }
        for (int i = 0; i < SLOTS; i++) {
            w.set(lifeSlot(i), 1);
        }
    }
}
