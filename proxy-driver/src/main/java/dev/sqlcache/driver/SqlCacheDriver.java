package dev.sqlcache.driver;

import dev.sqlcache.internal.config.InvalidConfigurationException;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.config.SqlCacheUrl;
import dev.sqlcache.internal.jdbc.ProxyConnections;
import dev.sqlcache.internal.runtime.CacheRuntime;
import dev.sqlcache.internal.runtime.CacheRuntimes;
import dev.sqlcache.internal.runtime.RuntimeKey;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The {@code jdbc:sqlcache:} driver. {@code jdbc:sqlcache:postgresql://db/app} opens
 * {@code jdbc:postgresql://db/app} with the real driver and wraps the connection so that reads are served from
 * the cache and writes invalidate it.
 *
 * <p>Settings come from the environment ({@code REDIS_HOST}, {@code SQLCACHE_TTL}, ...), from {@code sqlcache.*}
 * connection properties, and from {@code sqlcache.*} URL parameters, each overriding the one before; they are
 * removed before the real driver sees the URL and properties. A bad setting fails {@code connect} with SQLState
 * {@code HY024} and a message naming it.
 *
 * <p>While registered, the driver keeps the cache runtime of each store it has connected to (its Redis pool, its
 * background thread, its membership), so that connections opened one by one share them. Deregistering it
 * ({@code DriverManager.deregisterDriver}, as an application server does when it undeploys an application) lets
 * them go: each closes once its last connection and data source have closed too.
 */
public final class SqlCacheDriver implements Driver {

    private static final SqlCacheDriver INSTANCE = new SqlCacheDriver();
    /** The runtimes held on behalf of DriverManager's users, whichever instance of this class connected. */
    private static final Map<RuntimeKey, CacheRuntime> HELD = new ConcurrentHashMap<>();

    static {
        try {
            DriverManager.registerDriver(INSTANCE, SqlCacheDriver::deregistered);
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The registered instance (DriverManager also finds it through {@code META-INF/services}). */
    public static SqlCacheDriver instance() {
        return INSTANCE;
    }

    @Override
    public boolean acceptsURL(String url) {
        return SqlCacheUrl.accepts(url);
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        SqlCacheUrl parsed = SqlCacheUrl.parse(url);
        Properties realInfo = new Properties();
        Map<String, String> settings = new LinkedHashMap<>();
        if (info != null) {
            for (String name : info.stringPropertyNames()) {
                if (SqlCacheConfig.isSqlCacheProperty(name)) {
                    settings.put(name, info.getProperty(name));
                } else {
                    realInfo.setProperty(name, info.getProperty(name));
                }
            }
        }
        settings.putAll(parsed.settings());
        SqlCacheConfig config = configure(settings);
        hold(config);
        Driver real = realDriver(parsed.realUrl());
        RealDriverSettings.apply(parsed.realUrl(), realInfo);
        Connection connection = real.connect(parsed.realUrl(), realInfo);
        if (connection == null) {
            throw new SQLException("sqlcache: the driver " + real.getClass().getName() + " did not accept the URL",
                    "08001");
        }
        Map<String, String> realProperties = new LinkedHashMap<>();
        for (String name : realInfo.stringPropertyNames()) {
            realProperties.put(name, realInfo.getProperty(name));
        }
        return ProxyConnections.open(connection, config, parsed.realUrl(), realProperties);
    }

    /** Keeps the store's runtime for as long as the driver is registered. */
    private static void hold(SqlCacheConfig config) {
        RuntimeKey key = RuntimeKey.of(config);
        if (!HELD.containsKey(key)) {
            synchronized (HELD) {
                if (!HELD.containsKey(key)) {
                    HELD.put(key, CacheRuntimes.acquire(config));
                }
            }
        }
    }

    /** {@code DriverManager.deregisterDriver}: let go of every runtime held for DriverManager's users. */
    private static void deregistered() {
        synchronized (HELD) {
            HELD.values().forEach(CacheRuntimes::release);
            HELD.clear();
        }
    }

    static SqlCacheConfig configure(Map<String, String> settings) throws SQLException {
        try {
            return SqlCacheConfig.load(System.getenv(), settings);
        } catch (InvalidConfigurationException e) {
            throw new SQLException("sqlcache: invalid configuration: " + e.getMessage(), "HY024", e);
        }
    }

    /**
     * The driver for the real URL: any registered driver but this one, else one found through the thread's context
     * class loader (application servers and plugin class loaders hide drivers from DriverManager).
     */
    static Driver realDriver(String realUrl) throws SQLException {
        Enumeration<Driver> drivers = DriverManager.getDrivers();
        while (drivers.hasMoreElements()) {
            Driver candidate = drivers.nextElement();
            if (!(candidate instanceof SqlCacheDriver) && acceptsQuietly(candidate, realUrl)) {
                return candidate;
            }
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader != null) {
            for (Driver candidate : ServiceLoader.load(Driver.class, loader)) {
                if (!(candidate instanceof SqlCacheDriver) && acceptsQuietly(candidate, realUrl)) {
                    return candidate;
                }
            }
        }
        throw new SQLException("sqlcache: no JDBC driver on the class path accepts " + scheme(realUrl)
                + "; add the database's driver next to sqlcache", "08001");
    }

    private static boolean acceptsQuietly(Driver driver, String url) {
        try {
            return driver.acceptsURL(url);
        } catch (SQLException e) {
            return false;
        }
    }

    /** The URL up to the host: enough to say which driver is missing, never credentials. */
    private static String scheme(String realUrl) {
        int end = realUrl.indexOf("//");
        if (end < 0) {
            end = realUrl.indexOf(':', "jdbc:".length());
        }
        return end < 0 ? realUrl : realUrl.substring(0, end) + "...";
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return new DriverPropertyInfo[0];
        }
        return realDriver(SqlCacheUrl.parse(url).realUrl()).getPropertyInfo(SqlCacheUrl.parse(url).realUrl(), info);
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    /** A proxy is as compliant as the driver behind it, which this class cannot promise. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getLogger("dev.sqlcache");
    }
}
