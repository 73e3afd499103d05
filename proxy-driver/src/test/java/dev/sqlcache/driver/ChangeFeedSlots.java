package dev.sqlcache.driver;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The change feed's slots of the test database, for tests that must not leave one behind (it would keep WAL). */
final class ChangeFeedSlots {

    private ChangeFeedSlots() {
    }

    static List<String> all(Connection direct) throws SQLException {
        List<String> slots = new ArrayList<>();
        try (PreparedStatement find = direct.prepareStatement("select slot_name from pg_replication_slots "
                + "where database = current_database() and slot_name like 'sqlcache\\_%'");
             ResultSet rs = find.executeQuery()) {
            while (rs.next()) {
                slots.add(rs.getString(1));
            }
        }
        return slots;
    }

    /** Drops them, waiting up to 10 s for consumers that are still closing. */
    static void dropAll(Connection direct) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (String slot : all(direct)) {
            while (true) {
                try (PreparedStatement drop = direct.prepareStatement("select pg_drop_replication_slot(?)")) {
                    drop.setString(1, slot);
                    drop.execute();
                    break;
                } catch (SQLException active) {
                    if (System.nanoTime() > deadline) {
                        throw active;
                    }
                    Thread.sleep(100);
                }
            }
        }
    }
}
