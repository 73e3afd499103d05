package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.ClusterSettings;
import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SentinelSettings;
import dev.sqlcache.testing.RedisClusterFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.Test;

/**
 * Reading the slot map again after a failure must not hold the caller: with the slot's master frozen (SIGSTOP), as
 * the first seed node, a synchronous read waits a socket timeout for it before asking the next seed, on top of the
 * timeout the caller's own command already waited (measured on 3 masters with the default 0.5 s timeout: every
 * failed call took 1.0–1.5 s instead of 0.5 s).
 */
class ClusterRefreshTest {

    @Test
    void aRefreshDoesNotWaitForAFrozenSeedOnTheCallersThread() throws Exception {
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            List<SentinelSettings.Node> nodes = new ArrayList<>();
            List<Long> pids = new ArrayList<>();
            for (int port : cluster.ports()) {
                nodes.add(new SentinelSettings.Node("127.0.0.1", port));
                String info = cluster.command(port, "INFO", "server").toString();
                pids.add(Long.parseLong(info.replaceAll("(?s).*process_id:(\\d+).*", "$1")));
            }
            // A socket timeout far beyond the bound below: a refresh on the caller's thread cannot return in time.
            RedisSettings settings = new RedisSettings("localhost", 6379, null, null, null, 0, false, 2, 120_000,
                    2_000, null, null, null, null, new ClusterSettings(nodes));
            ClusterConnections connections = new ClusterConnections(settings.cluster(),
                    RedisConnections.clientConfig(settings, "refresh-test"), new GenericObjectPoolConfig<>(), "test");
            try {
                connections.getConnection().close(); // the slot map is read
                signal("-STOP", pids);
                CountDownLatch returned = new CountDownLatch(1);
                Thread caller = new Thread(() -> {
                    connections.refresh();
                    returned.countDown();
                }, "caller");
                caller.setDaemon(true);
                caller.start();
                boolean inTime = returned.await(20, TimeUnit.SECONDS);
                signal("-CONT", pids);
                assertTrue(inTime, "refresh() held its caller while every seed node was frozen");
            } finally {
                signal("-CONT", pids);
                connections.close();
            }
        }
    }

    private static void signal(String signal, List<Long> pids) throws Exception {
        for (long pid : pids) {
            new ProcessBuilder("kill", signal, Long.toString(pid)).start().waitFor();
        }
    }
}
