package dev.sqlcache.bench.throughput;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The local PostgreSQL the tests use: database {@code test}, or {@code $CACHETEST_DB}. */
final class TestPostgres {
    static final String URL = "jdbc:postgresql://127.0.0.1:5432/"
            + System.getenv().getOrDefault("CACHETEST_DB", "test");
    static final Map<String, String> LOGIN = Map.of("user", "postgres");

    private TestPostgres() {
    }

    static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.putAll(LOGIN);
        try {
            return DriverManager.getConnection(URL, p);
        } catch (SQLException e) {
            throw new SQLException("these tests need PostgreSQL at " + URL + " (user postgres, trust auth): "
                    + e.getMessage(), e.getSQLState(), e);
        }
    }

    /** Drops every schema whose name starts with {@code prefix}: what a test's harness run left behind. */
    static void dropSchemas(String prefix) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            List<String> schemas = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("select nspname from pg_namespace where nspname like '"
                    + prefix.replace("_", "\\_") + "%'")) {
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
            }
            for (String schema : schemas) {
                s.execute("drop schema " + schema + " cascade");
            }
        }
    }
}
