package dev.sqlcache.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sqlcache.testing.RedisServerFixture;
import dev.sqlcache.testing.RespClient;
import dev.sqlcache.testing.TcpRelay;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * sqlcache behind a managed primary endpoint (issue #15): one TLS address, a {@code rediss://} URL, that the
 * provider moves to the promoted replica when the primary fails, with nothing telling the client but its
 * connections dropping. Here a primary and its replica (both {@code redis-server} with a TLS port and client
 * certificates) sit behind one loopback relay; the replica falls behind, the last write's invalidation reaches the
 * primary only, the primary is killed and the address moves to the replica, which still holds the entry from
 * before that write under the tokens it matches. No read may answer from before a committed write, and hits must
 * come back (the measured time is printed; the bound is a generous 30 s for a loaded machine).
 */
class ManagedEndpointFailoverTest {

    private static TestCertificates certificates;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestCertificates.create().authority("ca")
                .certificate("server", "ca", "IP:127.0.0.1")
                .certificate("client", "ca", "");
    }

    @AfterAll
    static void removeCertificates() throws Exception {
        certificates.close();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void aReplicaPromotedBehindTheSameAddressServesNothingStale(TestDatabase db) throws Exception {
        try (OneRowTable lagged = OneRowTable.create(db, "endpoint_lag", 100);
             OneRowTable during = OneRowTable.create(db, "endpoint_during", 100);
             Endpoint endpoint = Endpoint.start();
             Connection c = db.cached(endpoint.settings(0))) {
            lagged.awaitHit(c, 100, "before any fault");
            during.awaitHit(c, 100, "before any fault");

            endpoint.replicaFallsBehind();
            lagged.update(c, 200);
            lagged.awaitHit(c, 200, "on the primary alone");
            endpoint.primary.command("SET", "lag-probe", "1");

            long movedAt = System.nanoTime();
            endpoint.failover();
            long until = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < until) {
                assertEquals(200, lagged.value(c), "committed before the failover");
                assertEquals(100, during.value(c));
            }
            during.update(c, 300);
            assertEquals(300, during.value(c), "committed during the failover");
            assertNull(RespClient.call(endpoint.replica.port(), "GET", "lag-probe"),
                    "the promoted replica must have missed the last writes, else this test proves nothing");

            long resumed = lagged.awaitHit(c, 200, "after the failover");
            during.awaitHit(c, 300, "after the failover");
            System.out.printf("ManagedEndpointFailoverTest[%s]: hits resumed %d ms after the address moved%n", db,
                    (resumed - movedAt) / 1_000_000);
            lagged.update(c, 400);
            lagged.awaitHit(c, 400, "a write after the failover");
        }
    }

    /**
     * Two stores (as two JVMs) with near caches on: the reader holds a near copy when the address moves; the
     * writer's first write on the promoted replica, which never saw the reader's lease, must not return while the
     * reader can still answer from that copy. The reader learns of the move only from its connections dropping.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2"})
    void aNearCopyIsNotServedAfterAnotherStoresFirstWriteOnThePromotedReplica(TestDatabase db) throws Exception {
        try (OneRowTable table = OneRowTable.create(db, "endpoint_near", 0);
             Endpoint endpoint = Endpoint.start();
             Connection reader = db.cached(endpoint.settings(4));
             Connection writer = db.cached(endpoint.settings(5))) {
            int v = 0;
            for (int i = 0; i < 3; i++) {
                table.awaitNearHit(reader, v);
                table.update(writer, ++v);
                assertEquals(v, table.value(reader), "read right after another store's write");
            }
            table.awaitNearHit(reader, v);
            endpoint.replicaFallsBehind();
            Thread.sleep(1_500); // the reader's lapse as the replica knows it is now past
            table.awaitNearHit(reader, v);

            endpoint.failover();
            long moved = System.nanoTime();
            table.update(writer, ++v);
            long written = System.nanoTime();
            long nearHitsBefore = OneRowTable.nearHits(reader);
            int read = table.value(reader);
            System.out.printf("ManagedEndpointFailoverTest[%s, near]: the first write after the move took %d ms; the "
                    + "reader's read right after it was %s%n", db, (written - moved) / 1_000_000,
                    OneRowTable.nearHits(reader) > nearHitsBefore ? "a near hit" : "no near hit");
            assertEquals(v, read, "read right after another store's first write after the address moved");
            table.awaitNearHit(reader, v);
            table.update(writer, ++v);
            assertEquals(v, table.value(reader), "read right after another store's write on the promoted replica");
        }
    }

    /** A primary and its replica, each with a TLS port, and one address in front of them that follows the primary. */
    private static final class Endpoint implements AutoCloseable {

        final RedisServerFixture primary;
        final RedisServerFixture replica;
        private final int replicaTls;
        private final TcpRelay address;

        private Endpoint(RedisServerFixture primary, RedisServerFixture replica, int replicaTls, TcpRelay address) {
            this.primary = primary;
            this.replica = replica;
            this.replicaTls = replicaTls;
            this.address = address;
        }

        static Endpoint start() throws Exception {
            int primaryTls = RedisServerFixture.anyFreePort();
            RedisServerFixture primary = RedisServerFixture.startWithArguments(
                    certificates.redisTls(primaryTls, "server", "ca"));
            int replicaTls = RedisServerFixture.anyFreePort();
            List<String> replicaArguments = new ArrayList<>(certificates.redisTls(replicaTls, "server", "ca"));
            replicaArguments.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(primary.port())));
            RedisServerFixture replica = RedisServerFixture.startWithArguments(replicaArguments);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!(RespClient.tryCall(replica.port(), "INFO", "replication") instanceof String info
                    && info.contains("master_link_status:up"))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the replica did not sync within 30 s");
                }
                Thread.sleep(50);
            }
            return new Endpoint(primary, replica, replicaTls, TcpRelay.to(primaryTls));
        }

        /** The settings of one store; {@code maxConnections} other than 0 makes a store of its own (another JVM). */
        Properties settings(int maxConnections) {
            Properties p = new Properties();
            p.setProperty("sqlcache.redis.url", "rediss://127.0.0.1:" + address.port());
            p.setProperty("sqlcache.redis.tls.caFile", certificates.file("ca.crt"));
            p.setProperty("sqlcache.redis.tls.certFile", certificates.file("client.crt"));
            p.setProperty("sqlcache.redis.tls.keyFile", certificates.file("client.key"));
            if (maxConnections != 0) {
                p.setProperty("sqlcache.redis.maxConnections", Integer.toString(maxConnections));
            }
            return p;
        }

        /**
         * Replication stops after everything so far reached the replica: from now on writes reach the primary only,
         * as when replication lags and the primary dies.
         */
        void replicaFallsBehind() {
            assertEquals(1L, RespClient.call(primary.port(), "WAIT", "1", "5000"), "the replica caught up");
            assertEquals("OK", RespClient.call(replica.port(), "REPLICAOF", "NO", "ONE"));
        }

        /** The primary dies ({@code kill -9}) and the address moves to the replica, now a primary itself. */
        void failover() {
            primary.stop();
            address.retarget(replicaTls);
        }

        @Override
        public void close() {
            address.close();
            replica.close();
            primary.close();
        }
    }
}
