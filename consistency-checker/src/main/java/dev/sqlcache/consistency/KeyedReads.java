package dev.sqlcache.consistency;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.sqlcache.consistency.KeyedSchema.ENTITIES;
import static dev.sqlcache.consistency.KeyedSchema.GROUPS;
import static dev.sqlcache.consistency.KeyedSchema.ITEMS;
import static dev.sqlcache.consistency.KeyedSchema.LINES;
import static dev.sqlcache.consistency.KeyedSchema.ORDERS;

/**
 * The reads of {@link KeyedSchema} one reader thread makes, and their checks. Every version is held against the
 * reader's {@link Floor}: never older than a commit that returned before the read started, and exactly that one when
 * no write of the key was in flight or returned meanwhile; a row whose insert (or key update) returned before the
 * read must then be there, and a row it deleted or moved away must not.
 */
final class KeyedReads {

    private final Report report;
    private final Verdicts verdicts;
    private final SplittableRandom random;
    private final boolean arrays;
    private final String arrayType;

    KeyedReads(Target target, Report report, Verdicts verdicts, SplittableRandom random) {
        this.report = report;
        this.verdicts = verdicts;
        this.random = random;
        this.arrays = target.hasArrays();
        this.arrayType = target.isPostgres() ? "integer" : "INTEGER";
    }

    /** One read of any kind (the full mix). */
    void any(Connection c, Floor floor, String mode) throws SQLException {
        // Reads by key weigh most: a wrong key-level rule leaves a key-pinned entry stale, and only a read of that
        // key between the write and the next one that happens to invalidate it can show it.
        int kind = random.nextInt(100);
        if (kind < 14) {
            itemByKey(c, floor, mode);
        } else if (kind < 19) {
            itemsByList(c, floor, mode, false);
        } else if (kind < 24) {
            itemsByList(c, floor, mode, arrays);
        } else if (kind < 29) {
            itemGroupSum(c, floor, mode);
        } else if (kind < 32) {
            itemTotal(c, floor, mode);
        } else if (kind < 36) {
            itemRange(c, floor, mode);
        } else if (kind < 44) {
            itemJoin(c, floor, mode);
        } else if (kind < 48) {
            itemByCode(c, floor, mode);
        } else if (kind < 62) {
            entities(c, floor, mode, 1, Lookup.KEY);
        } else if (kind < 69) {
            entities(c, floor, mode, 1 + random.nextInt(3), Lookup.IN_LIST);
        } else if (kind < 75) {
            entities(c, floor, mode, 1 + random.nextInt(3), arrays ? Lookup.ARRAY : Lookup.IN_LIST);
        } else if (kind < 79) {
            entityRange(c, floor, mode);
        } else if (kind < 82) {
            entityCount(c, floor, mode);
        } else if (kind < 90) {
            lineByKey(c, floor, mode);
        } else if (kind < 96) {
            linesOfOrder(c, floor, mode);
        } else {
            linesByNumber(c, floor, mode);
        }
    }

    /**
     * Key lookups, sums and key-pinned joins (the keyed mix). No IN lists: PostgreSQL 15 counts one index scan per
     * list element, which would blur the scans-per-statement figure.
     */
    void keyPinned(Connection c, Floor floor, String mode) throws SQLException {
        int kind = random.nextInt(100);
        if (kind < 45) {
            itemByKey(c, floor, mode);
        } else if (kind < 75) {
            itemJoin(c, floor, mode);
        } else {
            itemGroupSum(c, floor, mode);
        }
    }

    // ------------------------------------------------------------------------------------------------ items

    private void itemByKey(Connection c, Floor floor, String mode) throws SQLException {
        int id = Workload.skewed(random, ITEMS);
        long ver;
        try (PreparedStatement p = c.prepareStatement("SELECT qty, ver FROM cc_item WHERE id = ?")) {
            p.setInt(1, id);
            try (ResultSet rs = p.executeQuery()) {
                verdicts.served(rs, "item-by-key");
                if (!rs.next()) {
                    verdicts.violation("missing-item", mode + " item " + id + " by key: no row");
                    return;
                }
                ver = rs.getLong(2);
            }
        }
        report.sent("cc_item");
        checkVersion("stale-item", floor, KeyedSchema.itemSlot(id), ver, mode + " item " + id + " by key");
    }

    /** {@code id IN (?, ?, ?)}, or {@code id = ANY(?)} with an array of the same ids. */
    private void itemsByList(Connection c, Floor floor, String mode, boolean array) throws SQLException {
        int[] ids = consecutive(3, ITEMS);
        Map<Integer, Long> found = new LinkedHashMap<>();
        String family = array ? "items-by-array" : "items-by-in-list";
        try (PreparedStatement p = c.prepareStatement(array ? "SELECT id, ver FROM cc_item WHERE id = ANY(?)"
                : "SELECT id, ver FROM cc_item WHERE id IN (" + "?, ".repeat(ids.length - 1) + "?)")) {
            bindIds(c, p, ids, array);
            try (ResultSet rs = p.executeQuery()) {
                verdicts.served(rs, family);
                while (rs.next()) {
                    found.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        report.sent("cc_item");
        String what = mode + " " + family + " " + Arrays.toString(ids);
        if (found.size() != ids.length) {
            verdicts.violation("missing-item", what + " returned " + found.keySet());
        }
        for (int id : ids) {
            Long ver = found.get(id);
            if (ver != null) {
                checkVersion("stale-item", floor, KeyedSchema.itemSlot(id), ver, what + ": item " + id);
            }
        }
    }

    /** A range read over the key: depends on the whole table, however the writes pin their rows. */
    private void itemRange(Connection c, Floor floor, String mode) throws SQLException {
        int from = Workload.skewed(random, ITEMS);
        int to = Math.min(ITEMS - 1, from + random.nextInt(6));
        Map<Integer, Long> found = new LinkedHashMap<>();
        try (PreparedStatement p = c.prepareStatement(
                "SELECT id, ver FROM cc_item WHERE id BETWEEN ? AND ? ORDER BY id")) {
            p.setInt(1, from);
            p.setInt(2, to);
            try (ResultSet rs = p.executeQuery()) {
                verdicts.served(rs, "item-range");
                while (rs.next()) {
                    found.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        report.sent("cc_item");
        String what = mode + " items " + from + ".." + to;
        if (found.size() != to - from + 1) {
            verdicts.violation("missing-item", what + " returned " + found.keySet());
        }
        found.forEach((id, ver) -> checkVersion("stale-range", floor, KeyedSchema.itemSlot(id), ver,
                what + ": item " + id));
    }

    /** An aggregate over the rows of one group: a key-pinned write of any of them must invalidate it. */
    private void itemGroupSum(Connection c, Floor floor, String mode) throws SQLException {
        int g = random.nextInt(GROUPS);
        long count;
        long versions;
        try (PreparedStatement p = c.prepareStatement(
                "SELECT COUNT(*), SUM(qty), SUM(ver) FROM cc_item WHERE grp = ?")) {
            p.setInt(1, g);
            try (ResultSet rs = p.executeQuery()) {
                verdicts.served(rs, "item-group-sum");
                rs.next();
                count = rs.getLong(1);
                versions = rs.getLong(3);
            }
        }
        report.sent("cc_item");
        long committed = 0;
        boolean exact = true;
        for (int id = g; id < ITEMS; id += GROUPS) {
            committed += floor.get(KeyedSchema.itemSlot(id));
            exact &= floor.exact(KeyedSchema.itemSlot(id));
        }
        checkSum("stale-aggregate", versions, committed, exact, mode + " sum of versions of group " + g);
        if (count != ITEMS / GROUPS) {
            verdicts.violation("broken-aggregate", mode + " group " + g + " counted " + count + " items");
        }
    }

    private void itemTotal(Connection c, Floor floor, String mode) throws SQLException {
        long total;
        long versions;
        try (PreparedStatement p = c.prepareStatement("SELECT SUM(qty), SUM(ver) FROM cc_item");
             ResultSet rs = p.executeQuery()) {
            verdicts.served(rs, "item-total");
            rs.next();
            total = rs.getLong(1);
            versions = rs.getLong(2);
        }
        report.sent("cc_item");
        if (total != KeyedSchema.ITEM_TOTAL) {
            verdicts.violation("invariant", mode + " sum of item qty " + total + ", expected " + KeyedSchema.ITEM_TOTAL);
        }
        checkSum("stale-aggregate", versions, floor.sum(KeyedSchema.itemSlot(0), ITEMS),
                floor.exact(KeyedSchema.itemSlot(0), ITEMS), mode + " sum of all item versions");
    }

    /** A join pinned by the item's key; the group side is read by a join condition, so table-wide. */
    private void itemJoin(Connection c, Floor floor, String mode) throws SQLException {
        int id = Workload.skewed(random, ITEMS);
        long itemVersion;
        int group;
        long groupVersion;
        try (PreparedStatement p = c.prepareStatement("SELECT i.ver, g.id, g.ver FROM cc_item i "
                + "JOIN cc_group g ON g.id = i.grp WHERE i.id = ?")) {
            p.setInt(1, id);
            try (ResultSet rs = p.executeQuery()) {
                verdicts.served(rs, "item-join");
                if (!rs.next()) {
                    verdicts.violation("broken-join", mode + " item " + id + " joined with its group: no row");
                    return;
                }
                itemVersion = rs.getLong(1);
                group = rs.getInt(2);
                groupVersion = rs.getLong(3);
            }
        }
        report.sent("cc_item");
        report.sent("cc_group");
        String what = mode + " item " + id + " joined with group " + group;
        checkVersion("stale-join", floor, KeyedSchema.itemSlot(id), itemVersion, what + ": item");
        checkVersion("stale-join", floor, KeyedSchema.groupSlot(group), groupVersion, what + ": group");
    }

    /** A read pinned by the unique code, not the key. */
    private void itemByCode(Connection c, Floor floor, String mode) throws SQLException {
        int id = Workload.skewed(random, ITEMS);
        long ver;
        try (PreparedStatement p = c.prepareStatement("SELECT id, ver FROM cc_item WHERE code = ?")) {
            p.setString(1, KeyedSchema.code(id));
            try (ResultSet rs = p.executeQuery()) {
                verdicts.served(rs, "item-by-code");
                if (!rs.next() || rs.getInt(1) != id) {
                    verdicts.violation("missing-item", mode + " item " + id + " by code: no row or another row");
                    return;
                }
                ver = rs.getLong(2);
            }
        }
        report.sent("cc_item");
        checkVersion("stale-item", floor, KeyedSchema.itemSlot(id), ver, mode + " item " + id + " by code");
    }

    // ------------------------------------------------------------------------------------------------ entities

    /** How entities are looked up by key: one id, an IN list, or {@code = ANY(?)} with an array. */
    private enum Lookup { KEY, IN_LIST, ARRAY }

    /**
     * Looks entities up by their ids: one id of one entity by key, or both ids of {@code count} entities in an IN
     * list or an array. An entity lives at one of its two ids or at none, depending on its life counter.
     */
    private void entities(Connection c, Floor floor, String mode, int count, Lookup lookup) throws SQLException {
        int[] ks = consecutive(count, ENTITIES);
        boolean array = lookup == Lookup.ARRAY;
        int[] ids;
        String family;
        String sql;
        if (lookup == Lookup.KEY) {
            ids = new int[] {random.nextBoolean() ? KeyedSchema.home(ks[0]) : KeyedSchema.away(ks[0])};
            family = "entity-by-key";
            sql = "SELECT id, ver FROM cc_entry WHERE id = ?";
        } else {
            ids = new int[2 * count];
            for (int i = 0; i < count; i++) {
                ids[2 * i] = KeyedSchema.home(ks[i]);
                ids[2 * i + 1] = KeyedSchema.away(ks[i]);
            }
            family = array ? "entities-by-array" : "entities-by-in-list";
            sql = array ? "SELECT id, ver FROM cc_entry WHERE id = ANY(?)"
                    : "SELECT id, ver FROM cc_entry WHERE id IN (" + "?, ".repeat(ids.length - 1) + "?)";
        }
        Map<Integer, Long> found = new LinkedHashMap<>();
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bindIds(c, p, ids, array);
            try (ResultSet rs = p.executeQuery()) {
                verdicts.served(rs, family);
                while (rs.next()) {
                    found.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        report.sent("cc_entry");
        for (int id : ids) {
            checkEntityAt(floor, id, found.get(id), mode + " " + family + " " + Arrays.toString(ids));
        }
    }

    /** A range over the key of several entities. */
    private void entityRange(Connection c, Floor floor, String mode) throws SQLException {
        int first = Workload.skewed(random, ENTITIES);
        int last = Math.min(ENTITIES - 1, first + random.nextInt(4));
        Map<Integer, Long> found = new LinkedHashMap<>();
        try (PreparedStatement p = c.prepareStatement(
                "SELECT id, ver FROM cc_entry WHERE id BETWEEN ? AND ? ORDER BY id")) {
            p.setInt(1, KeyedSchema.home(first));
            p.setInt(2, KeyedSchema.away(last));
            try (ResultSet rs = p.executeQuery()) {
                verdicts.served(rs, "entity-range");
                while (rs.next()) {
                    found.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        report.sent("cc_entry");
        for (int id = KeyedSchema.home(first); id <= KeyedSchema.away(last); id++) {
            checkEntityAt(floor, id, found.get(id), mode + " entities " + first + ".." + last + " by range");
        }
    }

    /** How many entities exist and the sum of their versions: exact when no entity was written meanwhile. */
    private void entityCount(Connection c, Floor floor, String mode) throws SQLException {
        long count;
        long versions;
        try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*), SUM(ver) FROM cc_entry");
             ResultSet rs = p.executeQuery()) {
            verdicts.served(rs, "entity-count");
            rs.next();
            count = rs.getLong(1);
            versions = rs.getLong(2);
        }
        report.sent("cc_entry");
        if (count > ENTITIES) {
            verdicts.violation("broken-entity", mode + " " + count + " entity rows, more than " + ENTITIES);
        }
        if (!floor.exact(KeyedSchema.entitySlot(0), ENTITIES)) {
            return;
        }
        long expectedCount = 0;
        long expectedVersions = 0;
        for (int k = 0; k < ENTITIES; k++) {
            long n = floor.get(KeyedSchema.entitySlot(k));
            if (KeyedSchema.idAt(k, n) >= 0) {
                expectedCount++;
                expectedVersions += n;
            }
        }
        if (count != expectedCount || versions != expectedVersions) {
            verdicts.violation(count < expectedCount ? "missing-entity" : "stale-aggregate", mode + " entity count "
                    + count + " and version sum " + versions + ", but no entity was written since "
                    + expectedCount + " / " + expectedVersions + " had been committed");
        }
    }

    /**
     * Entity rows carry the life counter they were written at, so a row found at an id must belong there; with no
     * write of the entity since the reader's copy, the row must be exactly where that copy puts it.
     */
    private void checkEntityAt(Floor floor, int id, Long found, String what) {
        int k = KeyedSchema.entityOf(id);
        int slot = KeyedSchema.entitySlot(k);
        long committed = floor.get(slot);
        boolean exact = floor.exact(slot);
        boolean expected = KeyedSchema.idAt(k, committed) == id;
        if (found == null) {
            if (exact && expected) {
                verdicts.violation("missing-entity", what + ": entity " + k + " not at id " + id + ", where life "
                        + committed + " (committed before the read, nothing written since) puts it");
            }
            return;
        }
        long n = found;
        if (KeyedSchema.idAt(k, n) != id) {
            verdicts.violation("broken-entity", what + ": entity " + k + " of life " + n + " found at id " + id);
        } else if (n < committed) {
            verdicts.violation("stale-entity", what + ": entity " + k + " at id " + id + " with life " + n
                    + ", but life " + committed + " was committed before the read started");
        } else if (exact && n != committed) {
            verdicts.violation("uncommitted-read", what + ": entity " + k + " with life " + n
                    + ", but only " + committed + " had been committed and nothing was written since");
        }
    }

    // ------------------------------------------------------------------------------------------------ lines

    /** By the whole composite key. */
    private void lineByKey(Connection c, Floor floor, String mode) throws SQLException {
        int order = Workload.skewed(random, ORDERS);
        int line = random.nextInt(LINES);
        long ver;
        try (PreparedStatement p = c.prepareStatement(
                "SELECT qty, ver FROM cc_line WHERE order_id = ? AND line_no = ?")) {
            p.setInt(1, order);
            p.setInt(2, line);
            try (ResultSet rs = p.executeQuery()) {
                verdicts.served(rs, "line-by-key");
                if (!rs.next()) {
                    verdicts.violation("missing-line", mode + " line " + order + "/" + line + ": no row");
                    return;
                }
                ver = rs.getLong(2);
            }
        }
        report.sent("cc_line");
        checkVersion("stale-line", floor, KeyedSchema.lineSlot(order, line), ver,
                mode + " line " + order + "/" + line + " by key");
    }

    /** By the first half of the key only: not a key pin. */
    private void linesOfOrder(Connection c, Floor floor, String mode) throws SQLException {
        int order = Workload.skewed(random, ORDERS);
        long qty = 0;
        int rows = 0;
        long[] versions = new long[LINES];
        try (PreparedStatement p = c.prepareStatement(
                "SELECT line_no, qty, ver FROM cc_line WHERE order_id = ? ORDER BY line_no")) {
            p.setInt(1, order);
            try (ResultSet rs = p.executeQuery()) {
                verdicts.served(rs, "lines-of-order");
                while (rs.next()) {
                    rows++;
                    qty += rs.getLong(2);
                    versions[rs.getInt(1)] = rs.getLong(3);
                }
            }
        }
        report.sent("cc_line");
        String what = mode + " lines of order " + order;
        if (rows != LINES || qty != KeyedSchema.ORDER_TOTAL) {
            verdicts.violation("invariant", what + ": " + rows + " lines, qty " + qty + ", expected " + LINES
                    + " lines, qty " + KeyedSchema.ORDER_TOTAL);
            return;
        }
        for (int line = 0; line < LINES; line++) {
            checkVersion("stale-line", floor, KeyedSchema.lineSlot(order, line), versions[line], what + ": line " + line);
        }
    }

    /** By the second half of the key only. */
    private void linesByNumber(Connection c, Floor floor, String mode) throws SQLException {
        int line = random.nextInt(LINES);
        long count;
        long versions;
        try (PreparedStatement p = c.prepareStatement(
                "SELECT COUNT(*), SUM(ver) FROM cc_line WHERE line_no = ?")) {
            p.setInt(1, line);
            try (ResultSet rs = p.executeQuery()) {
                verdicts.served(rs, "lines-by-number");
                rs.next();
                count = rs.getLong(1);
                versions = rs.getLong(2);
            }
        }
        report.sent("cc_line");
        long committed = 0;
        boolean exact = true;
        for (int order = 0; order < ORDERS; order++) {
            committed += floor.get(KeyedSchema.lineSlot(order, line));
            exact &= floor.exact(KeyedSchema.lineSlot(order, line));
        }
        if (count != ORDERS) {
            verdicts.violation("missing-line", mode + " line " + line + " of every order: " + count + " rows");
        }
        checkSum("stale-aggregate", versions, committed, exact, mode + " sum of versions of line " + line);
    }

    // ------------------------------------------------------------------------------------------------ checks

    private void checkVersion(String kind, Floor floor, int slot, long seen, String what) {
        long committed = floor.get(slot);
        if (seen < committed) {
            verdicts.violation(kind, what + " ver " + seen + ", but " + committed
                    + " was committed before the read started");
        } else if (seen != committed && floor.exact(slot)) {
            verdicts.violation("uncommitted-read", what + " ver " + seen + ", but only " + committed
                    + " had been committed and nothing was written since");
        }
    }

    private void checkSum(String kind, long seen, long committed, boolean exact, String what) {
        if (seen < committed) {
            verdicts.violation(kind, what + " = " + seen + " < " + committed + " committed before the read started");
        } else if (exact && seen != committed) {
            verdicts.violation("uncommitted-read", what + " = " + seen + ", but " + committed
                    + " had been committed and nothing was written since");
        }
    }

    private void bindIds(Connection c, PreparedStatement p, int[] ids, boolean array) throws SQLException {
        if (array) {
            Integer[] boxed = Arrays.stream(ids).boxed().toArray(Integer[]::new);
            Array value = c.createArrayOf(arrayType, boxed);
            p.setArray(1, value);
        } else {
            for (int i = 0; i < ids.length; i++) {
                p.setInt(i + 1, ids[i]);
            }
        }
    }

    /**
     * {@code count} consecutive numbers below {@code n} from a start skewed towards the hot set: few enough
     * distinct lists that they are read again while cached.
     */
    private int[] consecutive(int count, int n) {
        int start = Math.min(Workload.skewed(random, n), n - count);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = start + i;
        }
        return out;
    }
}
