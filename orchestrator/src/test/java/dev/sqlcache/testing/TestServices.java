package dev.sqlcache.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Where the tests find PostgreSQL and MariaDB: in containers when a Docker engine answers, else the local services
 * of the README (PostgreSQL on 127.0.0.1:5432, MariaDB on 127.0.0.1:3306, database {@code CACHETEST_DB} or
 * {@code test}). Chosen once per JVM, by Testcontainers' own check ({@code DockerClientFactory.isDockerAvailable()}),
 * and only when Testcontainers is on the test class path; {@code SQLCACHE_TEST_CONTAINERS=never} keeps the local
 * services even where Docker answers. Redis stays the private {@link RedisServerFixture}: the fault tests stop,
 * pause and restart it, which a container would make slower without making it truer.
 *
 * <p>The machines this project is built on have no Docker daemon, so there the local services are always chosen
 * and the container path is written against Testcontainers' documented API without being exercised
 * (docs/testing.md).
 */
public final class TestServices {

    private static final Logger LOG = LoggerFactory.getLogger(TestServices.class);

    /**
     * How a test reaches one database. Containers accept any password, as the local services do (trust auth on
     * PostgreSQL, root without one on MariaDB), so tests that name only a user work on both.
     */
    public record Database(String host, int port, String database, String user, String password, boolean container) {

        /** {@code host:port}, as a JDBC URL names it. */
        public String address() {
            return host + ":" + port;
        }
    }

    private static Boolean containers;
    private static Database postgres;
    private static Database mariadb;

    private TestServices() {
    }

    /** PostgreSQL 15: a container when Docker answers, else 127.0.0.1:5432 (user postgres, trust auth). */
    public static synchronized Database postgres() {
        if (postgres == null) {
            postgres = useContainers() ? Containers.postgres(databaseName())
                    : new Database("127.0.0.1", 5432, databaseName(), "postgres", "", false);
        }
        return postgres;
    }

    /** MariaDB 10.11: a container when Docker answers, else 127.0.0.1:3306 (root, empty password). */
    public static synchronized Database mariadb() {
        if (mariadb == null) {
            mariadb = useContainers() ? Containers.mariadb(databaseName())
                    : new Database("127.0.0.1", 3306, databaseName(), "root", "", false);
        }
        return mariadb;
    }

    /** The database the local services give this run ({@code CACHETEST_DB}), so that parallel runs do not meet. */
    public static String databaseName() {
        String name = System.getenv("CACHETEST_DB");
        return name == null || name.isBlank() ? "test" : name;
    }

    /** Whether this JVM's tests use containers; decided on the first call. */
    public static synchronized boolean useContainers() {
        if (containers == null) {
            containers = decide();
            LOG.info("test databases: {}", containers ? "containers (a Docker engine answers)"
                    : "local services (no Docker engine, Testcontainers absent, or SQLCACHE_TEST_CONTAINERS=never)");
        }
        return containers;
    }

    private static boolean decide() {
        String setting = System.getenv("SQLCACHE_TEST_CONTAINERS");
        if (setting != null && setting.strip().toLowerCase(Locale.ROOT).equals("never")) {
            return false;
        }
        try {
            Class.forName("org.testcontainers.DockerClientFactory", false, TestServices.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return false;
        }
        return Containers.dockerAvailable();
    }

    /** Everything that names a Testcontainers class, loaded only once Testcontainers is known to be there. */
    private static final class Containers {

        static boolean dockerAvailable() {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        }

        static Database postgres(String database) {
            org.testcontainers.postgresql.PostgreSQLContainer container =
                    new org.testcontainers.postgresql.PostgreSQLContainer(
                            org.testcontainers.utility.DockerImageName.parse("postgres:15-alpine"))
                            .withDatabaseName(database)
                            .withUsername("postgres")
                            .withPassword("postgres")
                            .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust");
            container.start(); // stopped by Testcontainers' reaper when the JVM ends
            return new Database(container.getHost(), container.getMappedPort(5432), database, "postgres",
                    "postgres", true);
        }

        static Database mariadb(String database) {
            org.testcontainers.mariadb.MariaDBContainer container =
                    new org.testcontainers.mariadb.MariaDBContainer(
                            org.testcontainers.utility.DockerImageName.parse("mariadb:10.11"))
                            .withDatabaseName(database)
                            .withUsername("root")
                            .withPassword("");
            container.start();
            return new Database(container.getHost(), container.getMappedPort(3306), database, "root", "", true);
        }
    }
}
