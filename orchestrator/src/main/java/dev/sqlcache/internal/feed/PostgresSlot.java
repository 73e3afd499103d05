package dev.sqlcache.internal.feed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The feed's replication slot on PostgreSQL: whether the server and the role allow one, and creating it when it is
 * missing. It uses the built-in {@code test_decoding} plugin, which needs no publication: a publication would make
 * the application's UPDATE and DELETE fail on tables without a replica identity, and {@code FOR ALL TABLES} needs a
 * superuser.
 */
final class PostgresSlot {

    static final String PLUGIN = "test_decoding";
    /** PostgreSQL's SQLState for "already exists" (another JVM created it first). */
    private static final String DUPLICATE_OBJECT = "42710";

    private final String name;

    PostgresSlot(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    /**
     * Checks what no retry can change. Every JVM checks once before it competes for the consumer's lease, so a JVM
     * whose feed cannot run says why and stops depending on it.
     *
     * @throws FeedUnavailable with the reason, for the log
     */
    static void checkServer(Connection connection) throws SQLException, FeedUnavailable {
        try (Statement statement = connection.createStatement()) {
            try (ResultSet level = statement.executeQuery("SHOW wal_level")) {
                level.next();
                String walLevel = level.getString(1);
                if (!"logical".equals(walLevel)) {
                    throw new FeedUnavailable("wal_level is " + walLevel + ", not logical (ALTER SYSTEM SET wal_level"
                            + " = logical, then restart PostgreSQL)");
                }
            }
            try (ResultSet role = statement.executeQuery(
                    "SELECT rolname, rolsuper OR rolreplication FROM pg_roles WHERE rolname = current_user")) {
                if (!role.next() || !role.getBoolean(2)) {
                    throw new FeedUnavailable("the user " + (role.getRow() == 0 ? "" : role.getString(1) + " ")
                            + "has neither the REPLICATION attribute nor superuser (ALTER ROLE ... REPLICATION)");
                }
            }
        }
    }

    /**
     * Creates the slot when it is missing.
     *
     * @return whether it was created now: the stream then starts at its creation, and whatever was written before
     *         (while no slot kept it) was never seen, so the caller invalidates the whole database
     * @throws FeedUnavailable when the name is taken by a slot of another plugin or database, or the plugin is
     *                         missing
     */
    boolean createIfMissing(Connection connection) throws SQLException, FeedUnavailable {
        if (exists(connection)) {
            return false;
        }
        try (PreparedStatement create = connection.prepareStatement(
                "SELECT lsn FROM pg_create_logical_replication_slot(?, ?)")) {
            create.setString(1, name);
            create.setString(2, PLUGIN);
            create.executeQuery().close();
            return true;
        } catch (SQLException e) {
            if (DUPLICATE_OBJECT.equals(e.getSQLState())) {
                if (exists(connection)) {
                    return false;
                }
            }
            if ("58P01".equals(e.getSQLState())) {
                throw new FeedUnavailable("the output plugin " + PLUGIN + " is not installed on the server: "
                        + e.getMessage());
            }
            throw e;
        }
    }

    /** Whether the slot exists for this database and plugin; refuses one of the same name that is someone else's. */
    private boolean exists(Connection connection) throws SQLException, FeedUnavailable {
        try (PreparedStatement find = connection.prepareStatement("SELECT plugin, database = current_database(), "
                + "slot_type FROM pg_replication_slots WHERE slot_name = ?")) {
            find.setString(1, name);
            try (ResultSet slot = find.executeQuery()) {
                if (!slot.next()) {
                    return false;
                }
                if (!PLUGIN.equals(slot.getString(1)) || !slot.getBoolean(2) || !"logical".equals(slot.getString(3))) {
                    throw new FeedUnavailable("a replication slot named " + name + " exists but is not a "
                            + PLUGIN + " slot of this database");
                }
                return true;
            }
        }
    }
}
