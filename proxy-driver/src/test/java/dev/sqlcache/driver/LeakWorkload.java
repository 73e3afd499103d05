package dev.sqlcache.driver;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Collections;
import java.util.Properties;

/**
 * What an application deployed in its own class loader does, run inside that loader by {@link ClassLoaderLeakTest}:
 * connects through sqlcache (DriverManager and a data source), reads (a miss, then hits), writes, closes
 * everything, then undeploys as a servlet container does: it deregisters every JDBC driver its loader registered.
 * Returns how many reads were hits, so the test knows the cache really ran.
 */
public final class LeakWorkload {

    private LeakWorkload() {
    }

    public static long run(String h2Url, Properties settings) throws Exception {
        long hits;
        Driver driver = SqlCacheDriver.instance();
        Properties properties = new Properties();
        properties.putAll(settings);
        properties.setProperty("user", "sa");
        properties.setProperty("password", "");
        try (Connection connection = driver.connect("jdbc:sqlcache:" + h2Url.substring("jdbc:".length()),
                properties); Statement statement = connection.createStatement()) {
            statement.execute("create table leak_t (id int primary key, v varchar(10))");
            statement.executeUpdate("insert into leak_t values (1, 'a')");
            for (int i = 0; i < 3; i++) {
                try (ResultSet rs = statement.executeQuery("select v from leak_t where id = 1")) {
                    rs.next();
                }
            }
            statement.executeUpdate("update leak_t set v = 'b' where id = 1");
            hits = connection.unwrap(SqlCacheConnection.class).statistics().hits();
        }
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL(h2Url);
        h2.setUser("sa");
        java.util.Map<String, String> map = new java.util.HashMap<>();
        settings.stringPropertyNames().forEach(name -> map.put(name, settings.getProperty(name)));
        try (SqlCacheDataSource dataSource = new SqlCacheDataSource(h2, map);
             Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("select v from leak_t where id = 1")) {
            rs.next();
        }
        // Undeploy, as Tomcat's JDBC leak prevention does: deregister the drivers this loader registered.
        for (Driver registered : Collections.list(DriverManager.getDrivers())) {
            if (registered.getClass().getClassLoader() == LeakWorkload.class.getClassLoader()) {
                DriverManager.deregisterDriver(registered);
            }
        }
        return hits;
    }
}
