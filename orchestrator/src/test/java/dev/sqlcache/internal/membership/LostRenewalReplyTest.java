package dev.sqlcache.internal.membership;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.store.RedisCommands;
import dev.sqlcache.testing.ManualTime;
import dev.sqlcache.testing.RedisServerFixture;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Review r15 of h15 (issue #15, an entry retired after a failover): a renewal Redis ran but whose reply was lost
 * (a socket timeout, a connection cut after the script ran) leaves in Redis the registration it sent, which the
 * other JVMs' checks read, while this JVM still compares its connections with the text of the last renewal it saw
 * answered. Since a registration can shrink, the text Redis holds may lack an entry that one names: a connection
 * on that entry must not be covered (nor anchored) on its strength, or a check that finds every entry Redis names
 * free drops this member while that connection's write may still commit. Real Redis; the lost reply is the real
 * store's renewal run, then its answer dropped, as a timeout after the script ran does.
 */
class LostRenewalReplyTest {

    /** One identity, the old primary's timeline and the promoted server's. */
    private static final String OLD = "db1@7/16384/00000001";
    private static final String PROMOTED = "db1@7/16384/00000002";
    private static final String OLD_SERVER = "1700000000000000";
    private static final String PROMOTED_SERVER = "1700000000000001";

    private final ManualTime time = new ManualTime();
    private SessionLock anchorLock;

    @Test
    void aConnectionOnAnEntryALostRenewalRetiredIsNotVouchedFor() throws Exception {
        try (RedisServerFixture redis = RedisServerFixture.start();
             RedisCommands commands = new RedisCommands(SqlCacheConfig.load(Map.of(), redis.tcpProperties())
                     .redis())) {
            LosingStore store = new LosingStore(new RedisMembershipStore(commands));
            Membership membership = new Membership(store, "test", 30_000, () -> true, () -> 0, Runnable::run, time);
            membership.anchorIn(new Membership.Anchors() {
                @Override
                public void keep() {
                }

                @Override
                public SessionLock heldNow(String entry, long timeoutNanos) {
                    return anchorLock != null && anchorLock.database().equals(entry) ? anchorLock : null;
                }
            });
            membership.renew();
            // A connection on the old primary, the anchor there, and one on the promoted server (split brain).
            SessionLock onOld = connection(membership, OLD, OLD_SERVER);
            anchorLock = new SessionLock(OLD, time.nanoTime(), true, OLD_SERVER);
            SessionLock onPromoted = connection(membership, PROMOTED, PROMOTED_SERVER);
            time.advance(500);
            membership.renew();
            assertEquals(Set.of(OLD, PROMOTED), DatabaseRegistration.entries(store.registration(store.member)));

            onOld.release(); // the application closed it: the old primary's entry is retired
            store.loseNextReply = true;
            membership.renew(); // ran in Redis, its answer lost
            String checked = store.registration(store.member);
            assertEquals(Set.of(PROMOTED), DatabaseRegistration.entries(checked), "what the others' checks read");

            store.cutOff = true;
            time.advance(500);
            // The pool opens a connection on the old primary during the outage; the anchor there answers alive.
            SessionLock late = connection(membership, OLD, OLD_SERVER);
            boolean vouched = membership.coversOrAnchors(late);
            assertFalse(vouched && !DatabaseRegistration.entries(checked).contains(late.database()),
                    "vouched for a connection whose entry the registration in Redis lacks: a check finding the "
                            + "promoted server's lock free drops this member while the write commits on the old one");
            assertFalse(vouched);
            assertTrue(membership.covers(onPromoted), "a connection held throughout stays covered: its entry is "
                    + "in every text sent since");
        }
    }

    private SessionLock connection(Membership membership, String entry, String server) {
        return membership.lockSession(DatabaseRegistration.database(entry), (classId, key) ->
                DatabaseRegistration.fingerprint(entry) + " " + server);
    }

    /** The real store, which can lose the answer of a renewal it ran, and then be cut off. */
    private static final class LosingStore implements MembershipStore {
        private final RedisMembershipStore real;
        volatile boolean loseNextReply;
        volatile boolean cutOff;
        volatile String member;

        LosingStore(RedisMembershipStore real) {
            this.real = real;
        }

        @Override
        public void joinTicket(String ticket, long ticketMillis) {
            reachable();
            real.joinTicket(ticket, ticketMillis);
        }

        @Override
        public Renewal renew(String member, String joinTicket, long memberMillis, long fenceMillis, long notAfter,
                             String rememberedEpoch, String registration) {
            reachable();
            this.member = member;
            Renewal renewal = real.renew(member, joinTicket, memberMillis, fenceMillis, notAfter, rememberedEpoch,
                    registration);
            if (loseNextReply) {
                loseNextReply = false;
                throw new IllegalStateException("Read timed out (the script ran)");
            }
            return renewal;
        }

        @Override
        public boolean dropsEarly() {
            return real.dropsEarly();
        }

        @Override
        public String registration(String member) {
            return real.registration(member);
        }

        @Override
        public String restoreMembers(String epoch, Map<String, Long> members) {
            reachable();
            return real.restoreMembers(epoch, members);
        }

        @Override
        public void leave(String member) {
            real.leave(member);
        }

        private void reachable() {
            if (cutOff) {
                throw new IllegalStateException("cut off");
            }
        }
    }
}
