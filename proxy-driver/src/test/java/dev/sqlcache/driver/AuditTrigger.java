package dev.sqlcache.driver;

import org.h2.api.Trigger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** An H2 trigger that writes another table, invisible in the SQL the application sends. */
public class AuditTrigger implements Trigger {

    @Override
    public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("insert into audit (item_id) values (?)")) {
            ps.setObject(1, newRow[0]);
            ps.executeUpdate();
        }
    }
}
