package dev.sqlcache.driver;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Forked by {@link DeadMemberTest}: a JVM that joins through one sqlcache connection to PostgreSQL or MariaDB (Redis at
 * {@code args[0]}, the sqlcache URL {@code args[1]}, sqlcache.fenceTimeout {@code args[2]}, the table
 * {@code args[3]}, optionally its sqlcache.databaseId {@code args[4]}), prints {@code ready}, then obeys its standard input: {@code write N} updates the row and prints
 * {@code wrote N} when the update returned (or {@code failed ...}); {@code reconnect} opens a new connection and
 * prints {@code reconnected}; {@code run SQL} runs a statement and prints {@code ran}; {@code connid} prints
 * {@code connid N}, the server's id of the connection's session now (MariaDB's {@code CONNECTION_ID()}).
 */
public final class MemberSessionMain {

    static final String APPLICATION_NAME = "sqlcache-member-child";

    private MemberSessionMain() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("sqlcache.redis.host", "127.0.0.1");
        p.setProperty("sqlcache.redis.port", args[0]);
        p.setProperty("sqlcache.fenceTimeout", args[2]);
        // The test databases' users (TestDatabase): root on MariaDB, postgres on PostgreSQL.
        p.setProperty("user", args[1].contains(":mariadb:") ? "root" : "postgres");
        p.setProperty("password", "");
        p.setProperty("ApplicationName", APPLICATION_NAME);
        if (args.length > 4) {
            p.setProperty("sqlcache.databaseId", args[4]);
        }
        String table = args[3];
        Connection c = DriverManager.getConnection(args[1], p);
        read(c, table);
        System.out.println("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            try {
                if (line.startsWith("write ")) {
                    int v = Integer.parseInt(line.substring("write ".length()));
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("update " + table + " set v = " + v + " where id = 1");
                    }
                    System.out.println("wrote " + v);
                } else if (line.startsWith("run ")) {
                    try (Statement s = c.createStatement()) {
                        s.execute(line.substring("run ".length()));
                    }
                    System.out.println("ran");
                } else if (line.equals("connid")) {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select connection_id()")) {
                        rs.next();
                        System.out.println("connid " + rs.getLong(1));
                    }
                } else if (line.equals("reconnect")) {
                    try {
                        c.close();
                    } catch (SQLException ignored) {
                        // its session was terminated
                    }
                    c = DriverManager.getConnection(args[1], p);
                    System.out.println("reconnected");
                }
            } catch (SQLException e) {
                System.out.println("failed " + e.getSQLState() + " " + e.getMessage());
            }
        }
    }

    private static void read(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select v from " + table + " where id = 1")) {
            rs.next();
        }
    }
}
