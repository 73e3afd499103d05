package dev.sqlcache.consistency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.SplittableRandom;

import static dev.sqlcache.consistency.KeyedSchema.LINES;

/**
 * The writes of {@link KeyedSchema} one writer thread makes: for each key-level rule a write whose reads go stale
 * if the rule is wrong. Each enters its keys in flight before its first statement, raises their watermarks after
 * its commit returned, then lands ({@link InFlight}).
 */
final class KeyedWrites {

    private final Watermarks watermarks;
    private final InFlight inFlight;
    private final Report report;
    private final SplittableRandom random;

    KeyedWrites(Watermarks watermarks, InFlight inFlight, Report report, SplittableRandom random) {
        this.watermarks = watermarks;
        this.inFlight = inFlight;
        this.report = report;
        this.random = random;
    }

    /** One write of any kind (the full mix). */
    void any(Connection tx, Connection auto) throws SQLException {
        int op = random.nextInt(100);
        if (op < 18) {
            itemTransfer(tx, false);
        } else if (op < 30) {
            itemTransfer(tx, true);
        } else if (op < 42) {
            itemOptimistic(auto);
        } else if (op < 48) {
            groupBump(tx);
        } else if (op < 76) {
            entityStep(tx);
        } else if (op < 90) {
            lineMove(tx);
        } else {
            orderBump(tx);
        }
    }

    /** One write pinned by primary key (the keyed mix, where the key-level engine should keep most entries). */
    void keyPinned(Connection tx, Connection auto) throws SQLException {
        int op = random.nextInt(100);
        if (op < 50) {
            itemTransfer(tx, false);
        } else if (op < 80) {
            itemOptimistic(auto);
        } else {
            groupBump(tx);
        }
    }

    /**
     * Moves {@code qty} between two items, each named by its key or, with {@code byCode}, by its unique code: a
     * write pinned by a unique non-key column must invalidate the table, so that reads by key see it.
     */
    private void itemTransfer(Connection tx, boolean byCode) throws SQLException {
        int a = Workload.skewed(random, KeyedSchema.ITEMS);
        int b = Workload.skewed(random, KeyedSchema.ITEMS);
        if (a == b) {
            b = (a + 1) % KeyedSchema.ITEMS;
        }
        int first = Math.min(a, b);
        int second = Math.max(a, b);
        long amount = 1 + random.nextInt(20);
        inFlight.enter(KeyedSchema.itemSlot(first), KeyedSchema.itemSlot(second));
        String sql = byCode ? "UPDATE cc_item SET qty = qty + ?, ver = ver + 1 WHERE code = ?"
                : "UPDATE cc_item SET qty = qty + ?, ver = ver + 1 WHERE id = ?";
        try (PreparedStatement p = tx.prepareStatement(sql)) {
            for (int id : new int[] {first, second}) {
                p.setLong(1, id == a ? -amount : amount);
                if (byCode) {
                    p.setString(2, KeyedSchema.code(id));
                } else {
                    p.setInt(2, id);
                }
                expectOne(p.executeUpdate(), sql, id);
                report.sent("cc_item");
            }
        }
        long v1 = version(tx, "SELECT ver FROM cc_item WHERE id = ?", first);
        long v2 = version(tx, "SELECT ver FROM cc_item WHERE id = ?", second);
        report.sent("cc_item", 2);
        tx.commit();
        watermarks.raise(KeyedSchema.itemSlot(first), v1);
        watermarks.raise(KeyedSchema.itemSlot(second), v2);
        inFlight.land();
    }

    /**
     * Optimistic locking in auto-commit, as ORMs do: read the version (through the cache: an old one only makes the
     * update miss), then {@code UPDATE ... WHERE id = ? AND ver = ?}. One row updated means version v + 1 committed.
     */
    private void itemOptimistic(Connection auto) throws SQLException {
        int id = Workload.skewed(random, KeyedSchema.ITEMS);
        long seen = version(auto, "SELECT ver FROM cc_item WHERE id = ?", id);
        report.sent("cc_item");
        inFlight.enter(KeyedSchema.itemSlot(id));
        int updated;
        try (PreparedStatement p = auto.prepareStatement("UPDATE cc_item SET ver = ? WHERE id = ? AND ver = ?")) {
            p.setLong(1, seen + 1);
            p.setInt(2, id);
            p.setLong(3, seen);
            updated = p.executeUpdate();
            report.sent("cc_item");
        }
        if (updated == 1) {
            watermarks.raise(KeyedSchema.itemSlot(id), seen + 1);
        } else {
            report.count("optimisticMisses");
        }
        inFlight.land();
    }

    private void groupBump(Connection tx) throws SQLException {
        int g = random.nextInt(KeyedSchema.GROUPS);
        inFlight.enter(KeyedSchema.groupSlot(g));
        try (PreparedStatement p = tx.prepareStatement(
                "UPDATE cc_group SET ver = ver + 1, label = ? WHERE id = ?")) {
            p.setString(1, "group-" + g + "-" + random.nextInt(1000));
            p.setInt(2, g);
            expectOne(p.executeUpdate(), "group bump", g);
        }
        long ver = version(tx, "SELECT ver FROM cc_group WHERE id = ?", g);
        report.sent("cc_group", 2);
        tx.commit();
        watermarks.raise(KeyedSchema.groupSlot(g), ver);
        inFlight.land();
    }

    /**
     * The next step of an entity's life: a key update to its away id, a delete by key, or an insert at its home id
     * again. Readers look both ids up (alone, in IN lists, in arrays, in ranges) and find them missing in between.
     */
    private void entityStep(Connection tx) throws SQLException {
        int k = Workload.skewed(random, KeyedSchema.ENTITIES);
        inFlight.enter(KeyedSchema.entitySlot(k));
        try (PreparedStatement p = tx.prepareStatement("UPDATE cc_entry_life SET n = n + 1 WHERE k = ?")) {
            p.setInt(1, k);
            expectOne(p.executeUpdate(), "entity life", k);
        }
        long n = version(tx, "SELECT n FROM cc_entry_life WHERE k = ?", k);
        report.sent("cc_entry_life", 2);
        switch ((int) (n % 3)) {
            case 1 -> {
                // Both spellings of a key update; only the first names the new key in a parameter.
                boolean literalShift = random.nextBoolean();
                String sql = literalShift ? "UPDATE cc_entry SET id = id + 1, ver = ? WHERE id = ?"
                        : "UPDATE cc_entry SET id = ?, ver = ? WHERE id = ?";
                try (PreparedStatement p = tx.prepareStatement(sql)) {
                    int i = 1;
                    if (!literalShift) {
                        p.setInt(i++, KeyedSchema.away(k));
                    }
                    p.setLong(i++, n);
                    p.setInt(i, KeyedSchema.home(k));
                    expectOne(p.executeUpdate(), sql, k);
                }
            }
            case 2 -> {
                try (PreparedStatement p = tx.prepareStatement("DELETE FROM cc_entry WHERE id = ?")) {
                    p.setInt(1, KeyedSchema.away(k));
                    expectOne(p.executeUpdate(), "entity delete", k);
                }
            }
            default -> {
                try (PreparedStatement p = tx.prepareStatement("INSERT INTO cc_entry (id, ver) VALUES (?, ?)")) {
                    p.setInt(1, KeyedSchema.home(k));
                    p.setLong(2, n);
                    expectOne(p.executeUpdate(), "entity insert", k);
                }
            }
        }
        report.sent("cc_entry");
        tx.commit();
        watermarks.raise(KeyedSchema.entitySlot(k), n);
        inFlight.land();
    }

    /** Moves {@code qty} between two lines of one order, each named by its whole composite key. */
    private void lineMove(Connection tx) throws SQLException {
        int order = Workload.skewed(random, KeyedSchema.ORDERS);
        int a = random.nextInt(LINES);
        int b = (a + 1 + random.nextInt(LINES - 1)) % LINES;
        int first = Math.min(a, b);
        int second = Math.max(a, b);
        long amount = 1 + random.nextInt(20);
        inFlight.enter(KeyedSchema.lineSlot(order, first), KeyedSchema.lineSlot(order, second));
        try (PreparedStatement p = tx.prepareStatement(
                "UPDATE cc_line SET qty = qty + ?, ver = ver + 1 WHERE order_id = ? AND line_no = ?")) {
            for (int line : new int[] {first, second}) {
                p.setLong(1, line == a ? -amount : amount);
                p.setInt(2, order);
                p.setInt(3, line);
                expectOne(p.executeUpdate(), "line move", order);
            }
        }
        long[] versions = lineVersions(tx, order);
        report.sent("cc_line", 3);
        tx.commit();
        watermarks.raise(KeyedSchema.lineSlot(order, first), versions[first]);
        watermarks.raise(KeyedSchema.lineSlot(order, second), versions[second]);
        inFlight.land();
    }

    /** Bumps every line of one order through half of its key: a table-wide write for a composite key. */
    private void orderBump(Connection tx) throws SQLException {
        int order = Workload.skewed(random, KeyedSchema.ORDERS);
        int[] slots = new int[LINES];
        for (int line = 0; line < LINES; line++) {
            slots[line] = KeyedSchema.lineSlot(order, line);
        }
        inFlight.enter(slots);
        try (PreparedStatement p = tx.prepareStatement("UPDATE cc_line SET ver = ver + 1 WHERE order_id = ?")) {
            p.setInt(1, order);
            if (p.executeUpdate() != LINES) {
                throw new SQLException("expected " + LINES + " lines in order " + order);
            }
        }
        long[] versions = lineVersions(tx, order);
        report.sent("cc_line", 2);
        tx.commit();
        for (int line = 0; line < LINES; line++) {
            watermarks.raise(slots[line], versions[line]);
        }
        inFlight.land();
    }

    private static long[] lineVersions(Connection tx, int order) throws SQLException {
        long[] versions = new long[LINES];
        try (PreparedStatement p = tx.prepareStatement("SELECT line_no, ver FROM cc_line WHERE order_id = ?")) {
            p.setInt(1, order);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    versions[rs.getInt(1)] = rs.getLong(2);
                }
            }
        }
        return versions;
    }

    private static long version(Connection c, String sql, int id) throws SQLException {
        return Workload.single(c, sql, id);
    }

    private static void expectOne(int updated, String what, int id) throws SQLException {
        if (updated != 1) {
            throw new SQLException("expected one row from " + what + " for " + id + ", got " + updated);
        }
    }
}
