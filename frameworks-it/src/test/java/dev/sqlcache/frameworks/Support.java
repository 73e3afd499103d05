package dev.sqlcache.frameworks;

import static org.junit.jupiter.api.Assertions.fail;

import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TestServices;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * What every framework test shares: one private redis-server for the whole run, the three databases, URLs on the
 * real driver and through sqlcache, and cache statistics.
 */
final class Support {

    static final String SQLCACHE_DRIVER = "dev.sqlcache.driver.SqlCacheDriver";

    private static RedisServerFixture redis;

    private Support() {
    }

    /** The databases the scenarios run on. */
    enum Db {
        H2, POSTGRES, MARIADB,
        /** Embedded, in memory, MVCC (its default locking mode makes a reader wait for another's transaction). */
        HSQLDB,
        /** Embedded, in memory; the user's schema is APP. */
        DERBY,
        /** A file of this JVM's own in the temporary directory (an in-memory SQLite database is one connection's). */
        SQLITE;

        /** Names this JVM's SQLite files, so that a run never meets an earlier run's tables. */
        private static final String RUN = Long.toHexString(System.nanoTime());

        /** The real driver's URL; {@code name} names the in-memory H2 database (other databases are shared). */
        String realUrl(String name) {
            return switch (this) {
                case H2 -> "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
                // TestServices: containers where a Docker engine answers, else the local services
                case POSTGRES -> "jdbc:postgresql://" + TestServices.postgres().address() + "/" + TestServices.databaseName();
                case MARIADB -> "jdbc:mariadb://" + TestServices.mariadb().address() + "/" + TestServices.databaseName()
                        + "?sslMode=disable";
                case HSQLDB -> "jdbc:hsqldb:mem:" + name + ";hsqldb.tx=mvcc";
                case DERBY -> "jdbc:derby:memory:" + name + ";create=true";
                case SQLITE -> "jdbc:sqlite:" + sqliteFile(name);
            };
        }

        private static String sqliteFile(String name) {
            java.io.File file = new java.io.File(System.getProperty("java.io.tmpdir"), "sqlcache_" + name + "_" + RUN + ".db");
            file.deleteOnExit();
            return file.getPath();
        }

        String user() {
            return switch (this) {
                case H2 -> "sa";
                case POSTGRES -> "postgres";
                case MARIADB -> "root";
                case HSQLDB -> "SA";
                case DERBY -> "app";
                case SQLITE -> "";
            };
        }

        String password() {
            return "";
        }

        /** The real driver's class. */
        String driverClass() {
            return switch (this) {
                case H2 -> "org.h2.Driver";
                case POSTGRES -> "org.postgresql.Driver";
                case MARIADB -> "org.mariadb.jdbc.Driver";
                case HSQLDB -> "org.hsqldb.jdbc.JDBCDriver";
                case DERBY -> "org.apache.derby.iapi.jdbc.AutoloadedDriver";
                case SQLITE -> "org.sqlite.JDBC";
            };
        }

        /** Hibernate's dialect when it is not in hibernate-core; null where Hibernate finds its own. */
        String hibernateDialect() {
            return switch (this) {
                case DERBY -> "org.hibernate.community.dialect.DerbyDialect";
                case SQLITE -> "org.hibernate.community.dialect.SQLiteDialect";
                default -> null;
            };
        }

        /** Fails (never skips) with what to start when the database does not answer. */
        void require() {
            if (this != POSTGRES && this != MARIADB) {
                return; // embedded
            }
            try (Connection c = DriverManager.getConnection(realUrl("x"), user(), password())) {
                c.isValid(2);
            } catch (SQLException e) {
                fail(this + " is not reachable at " + realUrl("x") + " as " + user() + " (" + e.getMessage()
                        + "): start it as README.md describes (.ci/run installs and starts it)", e);
            }
        }
    }

    /** The private redis-server every test of this module uses (never the shared one on 6379). */
    static synchronized RedisServerFixture redis() {
        if (redis == null) {
            redis = RedisServerFixture.start(); // killed by its own shutdown hook at JVM exit
        }
        return redis;
    }

    /** The sqlcache settings that reach the private Redis. */
    static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>(redis().tcpProperties());
        settings.put("sqlcache.store", "redis");
        return settings;
    }

    static Properties settingsAsProperties() {
        Properties properties = new Properties();
        properties.putAll(settings());
        return properties;
    }

    /** {@code jdbc:x:...} becomes {@code jdbc:sqlcache:x:...}, without any sqlcache setting. */
    static String sqlcacheUrlWithoutSettings(String realUrl) {
        return "jdbc:sqlcache:" + realUrl.substring("jdbc:".length());
    }

    /** {@code jdbc:x:...} becomes {@code jdbc:sqlcache:x:...} with the Redis settings as URL parameters. */
    static String sqlcacheUrl(String realUrl) {
        StringBuilder url = new StringBuilder(sqlcacheUrlWithoutSettings(realUrl));
        boolean h2 = realUrl.startsWith("jdbc:h2:") || realUrl.startsWith("jdbc:hsqldb:")
                || realUrl.startsWith("jdbc:derby:");
        for (Map.Entry<String, String> setting : settings().entrySet()) {
            url.append(h2 ? ";" : url.indexOf("?") < 0 ? "?" : "&")
                    .append(setting.getKey()).append('=').append(setting.getValue());
        }
        return url.toString();
    }

    static CacheStatistics statistics(Connection connection) throws SQLException {
        return connection.unwrap(SqlCacheConnection.class).statistics();
    }

    static CacheStatistics statistics(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return statistics(connection);
        }
    }

    /**
     * Drops tables (and sequences) on the real driver, so every run starts alike, and empties the private Redis:
     * these drops bypass sqlcache, so entries of an earlier run over the same tables must not survive them.
     */
    static void drop(Db db, String realUrl, List<String> tables, List<String> sequences) throws SQLException {
        redis().flushAll();
        try (Connection c = DriverManager.getConnection(realUrl, db.user(), db.password());
             Statement s = c.createStatement()) {
            if (db == Db.DERBY) {
                dropDerby(s, tables, sequences);
                return;
            }
            for (String table : tables) {
                s.execute("DROP TABLE IF EXISTS " + table + (db == Db.MARIADB || db == Db.SQLITE ? "" : " CASCADE"));
            }
            for (String sequence : sequences) {
                // SQLite has no sequences: Hibernate keeps a table of the sequence's name instead.
                s.execute((db == Db.SQLITE ? "DROP TABLE IF EXISTS " : "DROP SEQUENCE IF EXISTS ") + sequence);
            }
        }
    }

    /** Derby has no IF EXISTS and no CASCADE: tables are given children first, and a missing one is skipped. */
    private static void dropDerby(Statement s, List<String> tables, List<String> sequences) throws SQLException {
        for (String table : tables) {
            dropIfThere(s, "DROP TABLE " + table);
        }
        for (String sequence : sequences) {
            dropIfThere(s, "DROP SEQUENCE " + sequence + " RESTRICT");
        }
    }

    private static void dropIfThere(Statement s, String drop) throws SQLException {
        try {
            s.execute(drop);
        } catch (SQLException e) {
            if (!"42Y55".equals(e.getSQLState()) && !"42X94".equals(e.getSQLState())) { // no such table, sequence
                throw e;
            }
        }
    }

    /** A result set as text lines, column labels first: what the application saw. */
    static List<String> rows(ResultSet rs) throws SQLException {
        List<String> lines = new ArrayList<>();
        ResultSetMetaData md = rs.getMetaData();
        StringBuilder header = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            header.append(i > 1 ? "|" : "").append(md.getColumnLabel(i).toLowerCase());
        }
        lines.add(header.toString());
        while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                row.append(i > 1 ? "|" : "").append(rs.getObject(i));
            }
            lines.add(row.toString());
        }
        return lines;
    }

    /** How a failure looks to an application: exception class and SQLState. */
    static String failure(Throwable e) {
        Throwable t = e;
        while (t != null && !(t instanceof SQLException) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof SQLException sql) {
            return "failed: " + sql.getClass().getSimpleName() + " " + sql.getSQLState();
        }
        return "failed: " + e.getClass().getSimpleName();
    }

    /**
     * A Hibernate session factory over the sqlcache URL {@code url}, its schema created from {@code entities}, with
     * Hibernate's own small pool and {@code extra} settings.
     */
    static org.hibernate.SessionFactory sessionFactory(Db db, String url, Map<String, Object> extra,
                                                      Class<?>... entities) {
        Map<String, Object> settings = new java.util.HashMap<>();
        settings.put(org.hibernate.cfg.AvailableSettings.JAKARTA_JDBC_URL, url);
        settings.put(org.hibernate.cfg.AvailableSettings.JAKARTA_JDBC_USER, db.user());
        settings.put(org.hibernate.cfg.AvailableSettings.JAKARTA_JDBC_PASSWORD, db.password());
        settings.put(org.hibernate.cfg.AvailableSettings.JAKARTA_JDBC_DRIVER, SQLCACHE_DRIVER);
        settings.put(org.hibernate.cfg.AvailableSettings.POOL_SIZE, "3");
        settings.put(org.hibernate.cfg.AvailableSettings.HBM2DDL_AUTO, "create");
        settings.putAll(extra);
        org.hibernate.boot.MetadataSources sources = new org.hibernate.boot.MetadataSources(
                new org.hibernate.boot.registry.StandardServiceRegistryBuilder().applySettings(settings).build());
        for (Class<?> entity : entities) {
            sources.addAnnotatedClass(entity);
        }
        return sources.buildMetadata().buildSessionFactory();
    }

    /** The statistics of the sqlcache connections a session factory uses. */
    static CacheStatistics statistics(org.hibernate.SessionFactory sf) {
        return sf.fromSession(session -> session.doReturningWork(Support::statistics));
    }
}
