package dev.sqlcache.consistency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The tables of the key-level checks (issue #11): each key-level rule has a read that goes stale when the rule is
 * wrong. Every row carries a version that only grows per key; its watermark slot is given here.
 * <ul>
 *   <li>{@code cc_item(id, grp, code UNIQUE, qty, ver)}: items written by key (transfers of {@code qty}, optimistic
 *       updates {@code WHERE id = ? AND ver = ?}) and by their unique {@code code} (a table-wide write), read by
 *       key, by IN list, by {@code = ANY(?)}, by range, summed per group and over the table (the sum of
 *       {@code qty} is {@link #ITEM_TOTAL}), and joined with their group;</li>
 *   <li>{@code cc_group(id, ver, label)}: written by key, joined from items;</li>
 *   <li>{@code cc_entry(id, ver)}: entity {@code k} lives at id {@link #home} while its life counter
 *       {@code n % 3 == 0}, at id {@link #away} (moved by a key update) while {@code n % 3 == 1}, and nowhere
 *       (deleted by key, then inserted at home again) while {@code n % 3 == 2}; the row's {@code ver} is
 *       {@code n}. {@code cc_entry_life(k, n)} holds the counter and orders the writers of one entity;</li>
 *   <li>{@code cc_line(order_id, line_no, qty, ver)}, primary key {@code (order_id, line_no)}: lines written by
 *       their whole key (moves of {@code qty} within an order: {@link #ORDER_TOTAL} per order) and by
 *       {@code order_id} alone (a table-wide write), read by whole key, by {@code order_id} and by
 *       {@code line_no}.</li>
 * </ul>
 * No foreign keys: a write here changes exactly the rows it names, so the key-level rules alone decide.
 */
final class KeyedSchema {

    static final int ITEMS = 64;
    static final int GROUPS = 8;
    static final long ITEM_QTY = 100;
    static final long ITEM_TOTAL = ITEM_QTY * ITEMS;
    static final int ENTITIES = 16;
    static final int ORDERS = 8;
    static final int LINES = 4;
    static final long LINE_QTY = 100;
    static final long ORDER_TOTAL = LINE_QTY * LINES;

    static final String[] TABLES = {"cc_item", "cc_group", "cc_entry", "cc_entry_life", "cc_line"};

    private static final int ITEM_BASE = Schema.KEYED_BASE;
    private static final int GROUP_BASE = ITEM_BASE + ITEMS;
    private static final int ENTITY_BASE = GROUP_BASE + GROUPS;
    private static final int LINE_BASE = ENTITY_BASE + ENTITIES;
    static final int SLOTS = ITEMS + GROUPS + ENTITIES + ORDERS * LINES;

    private KeyedSchema() {
    }

    static int itemSlot(int id) {
        return ITEM_BASE + id;
    }

    static int groupSlot(int id) {
        return GROUP_BASE + id;
    }

    static int entitySlot(int k) {
        return ENTITY_BASE + k;
    }

    static int lineSlot(int order, int line) {
        return LINE_BASE + order * LINES + line;
    }

    static int groupOf(int item) {
        return item % GROUPS;
    }

    static String code(int item) {
        return "item-" + item;
    }

    /** The id entity {@code k} has while its life counter is {@code n % 3 == 0}. */
    static int home(int k) {
        return 2 * k;
    }

    /** The id entity {@code k} has after its key update, while {@code n % 3 == 1}. */
    static int away(int k) {
        return 2 * k + 1;
    }

    static int entityOf(int id) {
        return id / 2;
    }

    /** Where entity rows with life counter {@code n} live: its home id, its away id, or -1 (deleted). */
    static int idAt(int k, long n) {
        return switch ((int) (n % 3)) {
            case 0 -> home(k);
            case 1 -> away(k);
            default -> -1;
        };
    }

    static void create(Connection raw) throws SQLException {
        raw.setAutoCommit(true);
        try (Statement s = raw.createStatement()) {
            for (String table : TABLES) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
            s.execute("CREATE TABLE cc_item (id INT PRIMARY KEY, grp INT NOT NULL, code VARCHAR(20) NOT NULL UNIQUE, "
                    + "qty BIGINT NOT NULL, ver BIGINT NOT NULL)");
            s.execute("CREATE TABLE cc_group (id INT PRIMARY KEY, ver BIGINT NOT NULL, label VARCHAR(20) NOT NULL)");
            s.execute("CREATE TABLE cc_entry (id INT PRIMARY KEY, ver BIGINT NOT NULL)");
            s.execute("CREATE TABLE cc_entry_life (k INT PRIMARY KEY, n BIGINT NOT NULL)");
            s.execute("CREATE TABLE cc_line (order_id INT NOT NULL, line_no INT NOT NULL, qty BIGINT NOT NULL, "
                    + "ver BIGINT NOT NULL, PRIMARY KEY (order_id, line_no))");
        }
        raw.setAutoCommit(false);
        try (PreparedStatement p = raw.prepareStatement(
                "INSERT INTO cc_item (id, grp, code, qty, ver) VALUES (?, ?, ?, ?, 0)")) {
            for (int i = 0; i < ITEMS; i++) {
                p.setInt(1, i);
                p.setInt(2, groupOf(i));
                p.setString(3, code(i));
                p.setLong(4, ITEM_QTY);
                p.executeUpdate();
            }
        }
        try (PreparedStatement p = raw.prepareStatement("INSERT INTO cc_group (id, ver, label) VALUES (?, 0, ?)")) {
            for (int g = 0; g < GROUPS; g++) {
                p.setInt(1, g);
                p.setString(2, "group-" + g);
                p.executeUpdate();
            }
        }
        try (PreparedStatement entry = raw.prepareStatement("INSERT INTO cc_entry (id, ver) VALUES (?, 0)");
             PreparedStatement life = raw.prepareStatement("INSERT INTO cc_entry_life (k, n) VALUES (?, 0)")) {
            for (int k = 0; k < ENTITIES; k++) {
                entry.setInt(1, home(k));
                entry.executeUpdate();
                life.setInt(1, k);
                life.executeUpdate();
            }
        }
        try (PreparedStatement p = raw.prepareStatement(
                "INSERT INTO cc_line (order_id, line_no, qty, ver) VALUES (?, ?, ?, 0)")) {
            for (int o = 0; o < ORDERS; o++) {
                for (int l = 0; l < LINES; l++) {
                    p.setInt(1, o);
                    p.setInt(2, l);
                    p.setLong(3, LINE_QTY);
                    p.executeUpdate();
                }
            }
        }
        raw.commit();
        raw.setAutoCommit(true);
    }
}
