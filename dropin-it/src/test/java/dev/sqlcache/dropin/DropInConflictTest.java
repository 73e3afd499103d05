package dev.sqlcache.dropin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.stats.CacheStatistics;
import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.TestServices;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An application that holds, on its own class path, the versions of Jedis, jOOQ, Caffeine and Jackson that Spring
 * Boot 3.5 manages, plus the shaded {@code sqlcache-jdbc} jar: the driver must connect, cache and invalidate with its
 * own relocated copies, leave the application's copies alone, and add no class that exists twice.
 *
 * <p>The test class is the first user of sqlcache in its JVM (one class in this module), so jOOQ's logo would print
 * while it runs if the driver did not suppress it.
 */
class DropInConflictTest {

    private static final String SHADED = "dev.sqlcache.internal.shaded.";
    private static final ByteArrayOutputStream ERR = new ByteArrayOutputStream();
    private static PrintStream originalErr;
    private static RedisServerFixture redis;

    @BeforeAll
    static void start() {
        originalErr = System.err;
        System.setErr(new PrintStream(new TeeStream(originalErr, ERR), true, StandardCharsets.UTF_8));
        redis = RedisServerFixture.start();
    }

    @AfterAll
    static void stop() {
        System.setErr(originalErr);
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void theDriverJarIsTheShadedOneAndContainsOnlyItsOwnPackages() throws IOException {
        Path jar = sqlcacheJar();
        try (JarFile file = new JarFile(jar.toFile())) {
            List<String> foreign = new ArrayList<>();
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.endsWith(".class") && !name.startsWith("dev/sqlcache/")) {
                    foreign.add(name);
                }
            }
            assertEquals(List.of(), foreign.subList(0, Math.min(10, foreign.size())),
                    "classes outside dev/sqlcache/ in " + jar);
            assertNotNull(file.getEntry("dev/sqlcache/internal/shaded/org/jooq/impl/DSL.class"), "jOOQ relocated");
            assertNull(file.getEntry("dev/sqlcache/internal/admin/AdminCli.class"), "the admin CLI has its own jar");
            assertNotNull(file.getEntry("META-INF/services/java.sql.Driver"));
        }
    }

    @Test
    void noClassExistsTwiceOnTheClassPath() throws IOException {
        Map<String, String> owner = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!entry.endsWith(".jar") || !Files.isRegularFile(path)) {
                continue;
            }
            try (JarFile file = new JarFile(path.toFile())) {
                for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")
                            || name.endsWith("package-info.class")) {
                        continue;
                    }
                    String first = owner.putIfAbsent(name, path.getFileName().toString());
                    if (first != null) {
                        duplicates.add(name + " in " + first + " and " + path.getFileName());
                    }
                }
            }
        }
        assertTrue(owner.size() > 10_000, "the class path was read: " + owner.size() + " classes");
        assertEquals(List.of(), duplicates.subList(0, Math.min(20, duplicates.size())),
                duplicates.size() + " classes exist twice");
    }

    @Test
    void readsWritesAndHitsOnH2WithTheApplicationsOwnLibrariesInUse() throws Exception {
        // The application's own copies work as before, next to the driver.
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            assertEquals("PONG", jedis.ping());
        }
        Cache<String, String> appCache = Caffeine.newBuilder().maximumSize(10).build();
        appCache.put("k", "v");
        assertEquals("{\"a\":1}", new ObjectMapper().writeValueAsString(Map.of("a", 1)));

        String url = "jdbc:sqlcache:h2:mem:dropin;DB_CLOSE_DELAY=-1;sqlcache.redis.host=" + redis.host()
                + ";sqlcache.redis.port=" + redis.port();
        runWorkload(url, new Properties());

        // The application's jOOQ renders through a sqlcache connection as it would through any other.
        try (Connection connection = DriverManager.getConnection(url)) {
            assertEquals(3, DSL.using(connection).fetchCount(DSL.table(DSL.name("ITEMS"))));
        }
    }

    @Test
    void readsWritesAndHitsOnPostgresOverTheUnixSocket() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.putAll(redis.unixProperties());
        runWorkload("jdbc:sqlcache:postgresql://" + TestServices.postgres().address() + "/"
                + TestServices.databaseName(), properties);
    }

    @Test
    void sqlcacheAnalysedTheSqlWithItsOwnJooqAndLeftTheApplicationsAlone() throws Exception {
        String url = "jdbc:sqlcache:h2:mem:analysis;sqlcache.store=memory";
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("create table t (id int primary key)");
            statement.executeQuery("select id from t where id = 1").close();
        }
        ClassLoader loader = DropInConflictTest.class.getClassLoader();
        assertNotNull(loaded(loader, SHADED + "org.jooq.impl.DefaultParseContext"),
                "sqlcache parsed with its relocated jOOQ");
        assertNull(loaded(loader, "org.jooq.impl.DefaultParseContext"),
                "the application's jOOQ parser was never touched");
        Class<?> analyzer = Class.forName("dev.sqlcache.internal.analysis.QueryAnalyzer", false, loader);
        assertEquals(SHADED + "org.jooq.DSLContext", analyzer.getDeclaredField("parser").getType().getName());

        String ownVersion = (String) Class.forName(SHADED + "org.jooq.Constants").getField("VERSION").get(null);
        assertEquals("3.19.27", org.jooq.Constants.VERSION, "the application's jOOQ");
        assertFalse(ownVersion.equals(org.jooq.Constants.VERSION), "two jOOQ versions side by side: " + ownVersion);
    }

    @Test
    void jooqsLogoAndTipsStayOutOfTheLogAndTheApplicationsSettingIsUntouched() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlcache:h2:mem:quiet;sqlcache.store=memory");
             Statement statement = connection.createStatement()) {
            statement.execute("create table q (id int primary key)");
            statement.executeQuery("select id from q").close();
        }
        // The application's own jOOQ may print its logo (its version differs): only sqlcache's must not.
        String ownVersion = (String) Class.forName(SHADED + "org.jooq.Constants").getField("VERSION").get(null);
        String err = ERR.toString(StandardCharsets.UTF_8);
        assertFalse(err.contains("Thank you for using jOOQ " + ownVersion), err);
        assertFalse(err.contains(SHADED + "org.jooq.Constants - Tip of the day"), err);
        assertEquals("true", System.getProperty(SHADED + "org.jooq.no-logo"));
        assertEquals("true", System.getProperty(SHADED + "org.jooq.no-tips"));
        assertNull(System.getProperty("org.jooq.no-logo"), "the application's jOOQ keeps its own setting");
    }

    private static void runWorkload(String url, Properties properties) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, properties)) {
            SqlCacheConnection cache = connection.unwrap(SqlCacheConnection.class);
            try (Statement statement = connection.createStatement()) {
                statement.execute("drop table if exists items");
                statement.execute("create table items (id int primary key, name varchar(20))");
                statement.execute("insert into items values (1, 'one'), (2, 'two'), (3, 'three')");
            }
            CacheStatistics before = cache.statistics();
            assertEquals("two", name(connection, 2));
            assertEquals("two", name(connection, 2));
            assertEquals("two", name(connection, 2));
            CacheStatistics reads = cache.statistics().since(before);
            assertEquals(1, reads.misses(), reads.toString());
            assertEquals(2, reads.hits(), reads.toString());

            try (PreparedStatement update = connection.prepareStatement("update items set name = ? where id = ?")) {
                update.setString(1, "deux");
                update.setInt(2, 2);
                assertEquals(1, update.executeUpdate());
            }
            assertEquals("deux", name(connection, 2), "the write invalidated the cached answer");
            assertEquals("deux", name(connection, 2));
            CacheStatistics all = cache.statistics().since(before);
            assertEquals(3, all.hits(), all.toString());
            assertEquals(2, all.misses(), all.toString());
        }
    }

    private static String name(Connection connection, int id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("select name from items where id = ?")) {
            select.setInt(1, id);
            try (ResultSet rs = select.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
    }

    private static Path sqlcacheJar() {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (entry.contains("sqlcache-jdbc")) {
                if (!entry.endsWith(".jar")) {
                    fail("sqlcache-jdbc is on the class path as " + entry + ", not as the shaded jar: run this module "
                            + "from the package phase on (mvn verify), after sqlcache-jdbc was packaged");
                }
                return Path.of(entry);
            }
        }
        throw new AssertionError("sqlcache-jdbc is not on the class path");
    }

    private static Class<?> loaded(ClassLoader loader, String name) throws ReflectiveOperationException {
        Method findLoadedClass = ClassLoader.class.getDeclaredMethod("findLoadedClass", String.class);
        findLoadedClass.setAccessible(true);
        for (ClassLoader l = loader; l != null; l = l.getParent()) {
            Object found = findLoadedClass.invoke(l, name);
            if (found != null) {
                return (Class<?>) found;
            }
        }
        return null;
    }

    /** Copies System.err to the console and keeps what was written, to look for jOOQ's logo. */
    private static final class TeeStream extends java.io.OutputStream {
        private final PrintStream console;
        private final ByteArrayOutputStream copy;

        TeeStream(PrintStream console, ByteArrayOutputStream copy) {
            this.console = console;
            this.copy = copy;
        }

        @Override
        public synchronized void write(int b) {
            console.write(b);
            copy.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            console.write(b, off, len);
            copy.write(b, off, len);
        }
    }
}
