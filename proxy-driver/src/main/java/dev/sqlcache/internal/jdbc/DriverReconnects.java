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

    private static final String MYSQL_CONNECTION = "com.mysql.cj.MysqlConnection";
    private static final String[] RECONNECTING = {"autoReconnect", "autoReconnectForPools"};

    private DriverReconnects() {
    }

    /**
     * True when the driver is MySQL Connector/J and says it reconnects, or is MySQL Connector/J and cannot say (a
     * wrong "no" could drop a live member, a wrong "yes" only keeps a dead one until sqlcache.fenceTimeout). False
     * for any other driver: its URL is what tells ({@link ReconnectingUrls}).
     */
    static boolean mysqlReconnects(Connection real) {
        Class<?> type;
        try {
            type = Class.forName(MYSQL_CONNECTION, false, real.getClass().getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
        try {
            if (!real.isWrapperFor(type)) {
                return false;
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
