package dev.sqlcache.driver;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The real driver at a URL carrying the user, as a wrapped pool's connections report it: what a
 * {@link SqlCacheDataSource} over it hands the change feed to connect with. Closing that data source stops its
 * runtime and feed, which the driver's runtimes (held while it is registered) never do in a test JVM.
 */
final class UrlDataSource extends HandingDataSource {

    private final String url;

    UrlDataSource(String url) {
        this.url = url;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return DriverManager.getConnection(url);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return DriverManager.getConnection(url, username, password);
    }
}
