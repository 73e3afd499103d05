package dev.sqlcache.internal.feed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The feed's slots as an operator sees them (the admin tool's {@code feed} command): every sqlcache slot of a
 * database with how much WAL it keeps, and dropping one. A slot nobody consumes keeps WAL until it is dropped or
 * {@code max_slot_wal_keep_size} lets the server invalidate it.
 */
public final class FeedSlots {

    /** Above this much retained WAL a slot is reported, and logged by its consumer, as a warning. */
    public static final long RETAINED_WAL_WARNING_BYTES = 1L << 30;

    private FeedSlots() {
    }

    /** One slot: its name, whether a consumer reads it (and its server process), its position and retained WAL. */
    public record Slot(String name, boolean active, Integer activePid, String confirmedLsn, long retainedWalBytes,
                       String walStatus) {
    }

    /** The slot this database's feed uses with a store, as the driver names it. */
    public static String slotName(String databaseName, String databaseIdentity, String storeDescription) {
        return SlotName.of(databaseName, databaseIdentity, storeDescription);
    }

    /** The sqlcache slots of the connection's database. */
    public static List<Slot> list(Connection connection) throws SQLException {
        List<Slot> slots = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("SELECT slot_name, active, active_pid, "
                + "confirmed_flush_lsn::text, COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint, "
                + "wal_status FROM pg_replication_slots WHERE database = current_database() AND slot_name LIKE ? "
                + "ORDER BY slot_name")) {
            query.setString(1, SlotName.PREFIX.replace("_", "\\_") + "%");
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    int pid = rs.getInt(3);
                    slots.add(new Slot(rs.getString(1), rs.getBoolean(2), rs.wasNull() ? null : pid,
                            rs.getString(4), rs.getLong(5), rs.getString(6)));
                }
            }
        }
        return slots;
    }

    /**
     * Drops a sqlcache slot of the connection's database. The next consumer creates it again and invalidates the
     * whole database (what was written meanwhile was never seen).
     *
     * @throws SQLException when it does not exist or a consumer is reading it (SQLState 55006)
     */
    public static void drop(Connection connection, String name) throws SQLException {
        if (!name.startsWith(SlotName.PREFIX)) {
            throw new SQLException("not a sqlcache slot: " + name, "42704");
        }
        try (PreparedStatement drop = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            drop.setString(1, name);
            drop.execute();
        }
    }

    /** The current database's name, which slot names start with. */
    public static String databaseName(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT current_database()");
             ResultSet rs = query.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
