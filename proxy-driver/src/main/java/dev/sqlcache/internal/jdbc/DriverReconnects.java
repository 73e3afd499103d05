package dev.sqlcache.internal.jdbc;

import java.lang.reflect.Method;
import java.sql.Connection;

/**
 * Asks MySQL Connector/J itself whether a connection reconnects under the application ({@code autoReconnect},
 * {@code autoReconnectForPools}), wherever the setting came from: the URL, the properties handed to the driver, or a
 * {@code MysqlDataSource} (or a pool's data source properties) the application configured and sqlcache only wraps.
 * The last two never pass through sqlcache and {@code DatabaseMetaData.getURL()} does not show them, so without
 * the driver's answer such a connection took a user lock that a reconnect silently drops while it writes on.
 * Read once per physical connection, by reflection (sqlcache does not depend on the driver).
 */
final class DriverReconnects {

    /** {@code DatabaseMetaData.getDriverName()} of MySQL Connector/J (5.1 to 9.x: "MySQL Connector Java" or "/J"). */
    private static final String MYSQL_DRIVER_NAME = "MySQL Connector";
    private static final String MYSQL_CONNECTION = "com.mysql.cj.MysqlConnection";
    private static final String[] RECONNECTING = {"autoReconnect", "autoReconnectForPools"};

    private DriverReconnects() {
    }

    /**
     * True when the driver is MySQL Connector/J and says it reconnects, or is MySQL Connector/J and cannot say (a
     * wrong "no" could drop a live member, a wrong "yes" only keeps a dead one until sqlcache.fenceTimeout). False
     * for any other driver: its URL is what tells ({@link ReconnectingUrls}).
     *
     * @param driverName what the connection's metadata names its driver: Connector/J's name is asked first, since
     *                   a pool's connection may not let the driver's interfaces through (a proxy class loaded where
     *                   they cannot be seen, or one that does not delegate {@code isWrapperFor}), and such a
     *                   connection counted as not reconnecting; it also spares other drivers the class look-up
     */
    static boolean mysqlReconnects(Connection real, String driverName) {
        if (driverName == null || !driverName.startsWith(MYSQL_DRIVER_NAME)) {
            return false;
        }
        try {
            Class<?> type = Class.forName(MYSQL_CONNECTION, false, real.getClass().getClassLoader());
            if (!real.isWrapperFor(type)) {
                return true;
            }
            ClassLoader loader = type.getClassLoader();
            // The interfaces' methods, not the implementations': those classes need not be public.
            Method property = Class.forName("com.mysql.cj.conf.PropertySet", false, loader)
                    .getMethod("getBooleanProperty", String.class);
            Method value = Class.forName("com.mysql.cj.conf.RuntimeProperty", false, loader).getMethod("getValue");
            Object propertySet = type.getMethod("getPropertySet").invoke(real.unwrap(type));
            for (String name : RECONNECTING) {
                Object set = value.invoke(property.invoke(propertySet, name));
                if (!Boolean.FALSE.equals(set)) {
                    return true;
                }
            }
            return false;
        } catch (ReflectiveOperationException | java.sql.SQLException | RuntimeException | LinkageError e) {
            return true;
        }
    }
}
