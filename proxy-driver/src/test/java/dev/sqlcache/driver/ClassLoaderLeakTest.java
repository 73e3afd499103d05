package dev.sqlcache.driver;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application server's undeploy: sqlcache, its libraries and the application live in a class loader of their
 * own; once the application has closed its connections and data sources and its drivers are deregistered, no
 * sqlcache thread may be left and the loader must be collectable (no thread, shutdown hook, thread-local or
 * registry pinning it).
 */
class ClassLoaderLeakTest extends RedisBackedTest {

    @Test
    void anUndeployedApplicationLeavesNoThreadAndItsClassLoaderCanBeCollected() throws Exception {
        // Runtimes of earlier test classes are still held by the class path's registered driver (as in any
        // application that keeps its driver): only the threads the deployment started must be gone.
        java.util.Set<Thread> earlier = new java.util.HashSet<>(sqlcacheThreadObjects());
        WeakReference<ClassLoader> loader = deployUseAndUndeploy();
        for (int i = 0; i < 50 && loader.get() != null; i++) {
            System.gc();
            byte[][] pressure = new byte[64][];
            for (int j = 0; j < pressure.length; j++) {
                pressure[j] = new byte[1024 * 1024];
            }
            Thread.sleep(20);
        }
        assertEquals(List.of(), sqlcacheThreadObjects().stream().filter(t -> !earlier.contains(t))
                .map(Thread::getName).toList(), "threads left behind");
        assertNull(loader.get(), "the application's class loader is still reachable: something pins it");
    }

    /** In a method of its own, so that no local variable of the test keeps the loader alive. */
    private WeakReference<ClassLoader> deployUseAndUndeploy() throws Exception {
        // DriverManager loads the class path's drivers the first time it is used, through the thread's context
        // loader: in a container it was long initialised by the container itself, never by an application.
        java.sql.DriverManager.getDrivers();
        URLClassLoader application = new URLClassLoader("leak-test-app", classPath(),
                ClassLoader.getPlatformClassLoader());
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(application);
        try {
            Properties settings = settings();
            long hits = (long) application.loadClass(LeakWorkload.class.getName())
                    .getMethod("run", String.class, Properties.class)
                    .invoke(null, "jdbc:h2:mem:leak_" + UUID.randomUUID().toString().replace("-", "")
                            + ";DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE", settings);
            assertTrue(hits >= 2, "the workload ran through the cache (hits " + hits + ")");
        } finally {
            thread.setContextClassLoader(previous);
        }
        application.close();
        return new WeakReference<>(application);
    }

    /** The test's class path without the test framework: sqlcache, its libraries, H2 and this workload. */
    private static URL[] classPath() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("junit") || name.startsWith("opentest4j") || name.startsWith("apiguardian")
                    || name.startsWith("surefire") || name.startsWith("maven")) {
                continue;
            }
            // MySQL's driver, there for RealSessionProbeTest, starts its own cleanup thread when DriverManager loads
            // it, which pins its loader until the application calls AbandonedConnectionCleanupThread's shutdown:
            // MySQL's undeploy step, not sqlcache's, and this workload runs on H2.
            if (name.startsWith("mysql-connector")) {
                continue;
            }
            urls.add(Path.of(entry).toUri().toURL());
        }
        return urls.toArray(URL[]::new);
    }

    private static List<Thread> sqlcacheThreadObjects() {
        List<Thread> threads = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().startsWith("sqlcache")
                    && thread.getContextClassLoader() == null) {
                threads.add(thread);
            }
        }
        return threads;
    }
}
