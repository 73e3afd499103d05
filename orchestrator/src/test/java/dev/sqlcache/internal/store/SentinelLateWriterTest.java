package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.testing.RedisSentinelFixture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Review r6 of "Near caches with Sentinel": the writer that has NOT seen the change of primary (its connections to
 * the sentinels are cut, here through relays closed before the failover), while a holder follows it. The writer's
 * change runs on the old primary, which stays a primary for about 10 s after {@code SENTINEL FAILOVER}; the holder
 * renews and is subscribed on the new one. The argument in docs/consistency.md splits on "P' is P" / "P' is the
 * old primary", measured from when the writer first saw its current primary; this is the third case, P' newer
 * than P, where the writer's own view has not changed at all and nothing distrusts the set.
 */
class SentinelLateWriterTest {

    private static final String[] KEYS = {"sql:t:version:db"};

    /**
     * The hole, without {@code min-replicas-to-write}: the writer's change on the old primary finds the holder
     * lapsed there (it renews on the new primary now), so it waits for nobody, and its notice, published on the old
     * primary, never reaches the holder's subscription on the new one. The holder goes on serving the copy the
     * write made stale, under leases the new primary keeps granting, for as long as the old primary takes that
     * writer's changes (until the sentinels convert it, 10 s here; without end for a partitioned old primary that
     * the late writer still reaches). Redis lookups share it (the writer's tokens change on the old primary only):
     * the "split without a split" of docs/consistency.md, which {@code min-replicas-to-write 1} closes (the next
     * test). Nothing in the near-cache rules can close it: the late writer has no sign of a change.
     */
    @Test
    @Disabled("review r6: a writer that has not seen the failover reaches no holder on the new primary; closed only "
            + "by min-replicas-to-write 1 (next test), documented in docs/consistency.md. Missing, and not reachable "
            + "by the cache's rules: the late writer has no sign of the change (its sentinels are cut off, its "
            + "primary still takes writes and finds the holder lapsed there); only the old primary refusing its writes "
            + "(min-replicas-to-write) closes it")
    void aLateWritersChangeReachesTheHolderOrMakesItWait() throws Exception {
        Outcome outcome = lateWriter(false);
        assertTrue(outcome.holderTold || outcome.writerWaits,
                "the late writer's change on the old primary returned " + describe(outcome.recipients)
                        + " and the holder on the new primary heard " + outcome.heard);
    }

    /** The same with {@code min-replicas-to-write 1} on the old primary: the late writer's change is refused. */
    @Test
    void minReplicasToWriteRefusesTheLateWritersChange() throws Exception {
        Outcome outcome = lateWriter(true);
        assertTrue(outcome.refused != null && String.valueOf(causes(outcome.refused)).contains("NOREPLICAS"),
                "refused: " + causes(outcome.refused) + "; else it returned " + describe(outcome.recipients));
    }

    private record Outcome(CacheStore.Recipients recipients, boolean holderTold, boolean writerWaits,
                           List<String> heard, RuntimeException refused) {
    }

    private static Outcome lateWriter(boolean minReplicas) throws Exception {
        try (RedisSentinelFixture group = RedisSentinelFixture.start()) {
            int old = group.primaryPort();
            if (minReplicas) {
                assertEquals("OK", group.command(old, "CONFIG", "SET", "min-replicas-to-write", "1"));
            }
            List<SplittingRelay> relays = new ArrayList<>();
            StringBuilder relayed = new StringBuilder();
            for (String sentinel : group.sentinels().split(",")) {
                SplittingRelay relay = SplittingRelay.to(Integer.parseInt(sentinel.substring(sentinel.indexOf(':') + 1)));
                relays.add(relay);
                relayed.append(relayed.length() == 0 ? "" : ",").append("127.0.0.1:").append(relay.port());
            }
            Map<String, String> writerProperties = new LinkedHashMap<>(group.properties());
            writerProperties.put("sqlcache.redis.sentinels", relayed.toString());
            try (RedisCacheStore writer = new RedisCacheStore(SqlCacheConfig.load(Map.of(), writerProperties).redis());
                 RedisCacheStore holder = new RedisCacheStore(SqlCacheConfig.load(Map.of(), group.properties())
                         .redis())) {
                writer.initVersions(KEYS);
                writer.endLeases(KEYS, null, null, CacheStore.Notice.anonymous()); // its first primary, noted
                holder.nearChannel().renew("holder", 1000, "0:aa"); // the holders' set names it on the old primary
                Thread.sleep(RedisNearChannel.CHANGE_MILLIS + 100); // the writer trusts the set again
                relays.forEach(SplittingRelay::close); // the writer hears no sentinel from now on

                group.manualFailover();
                int promoted = group.awaitFailover(old, 30_000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (holder.commands().primaryChanges() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(holder.commands().primaryChanges() > 0, "the holder followed the failover");

                // The holder subscribes on the new primary (as after its markers stopped arriving) and renews there.
                LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
                CompletableFuture<Void> subscribed = new CompletableFuture<>();
                CompletableFuture.runAsync(() -> holder.nearChannel().listen(new NearChannel.Listener() {
                    @Override
                    public void subscribed() {
                        subscribed.complete(null);
                    }

                    @Override
                    public void message(String from, String message) {
                        heard.add(message);
                    }
                }, NearChannel.NOTICE_CHANNEL));
                subscribed.get(10, TimeUnit.SECONDS);
                String clients = String.valueOf(group.command(promoted, "CLIENT", "LIST"));
                assertTrue(clients.contains("name=sqlcache-near"), "subscribed on the new primary: " + clients);
                String marker = null;
                for (int i = 1; marker == null && System.nanoTime() < deadline; i++) {
                    try {
                        holder.nearChannel().renew("holder", 1000, i + ":bb");
                        marker = heard.poll(1, TimeUnit.SECONDS);
                    } catch (CacheStoreException switching) {
                        Thread.sleep(50);
                    }
                }
                assertTrue(marker != null && marker.startsWith("R\nholder\n"), "the holder's lease on the new "
                        + "primary: it serves its copies now: " + marker);
                Thread.sleep(1100); // its lease on the old primary has lapsed there

                CacheStore.Recipients recipients = null;
                RuntimeException refused = null;
                try {
                    recipients = writer.endLeases(KEYS, null, null, new CacheStore.Notice("writer", "late-1"));
                } catch (RuntimeException e) {
                    refused = e;
                }
                assertEquals(0, writer.commands().primaryChanges(), "the writer still runs on the old primary");
                List<String> messages = new ArrayList<>();
                String message;
                while ((message = heard.poll(300, TimeUnit.MILLISECONDS)) != null) {
                    messages.add(message.replace('\n', '|'));
                }
                boolean told = messages.stream().anyMatch(m -> m.contains("late-1"));
                boolean waits = recipients != null && (recipients == CacheStore.Recipients.UNTOLD
                        || List.of(recipients.members()).contains("holder"));
                holder.nearChannel().stopListening();
                return new Outcome(recipients, told, waits, messages, refused);
            }
        }
    }

    private static String describe(CacheStore.Recipients recipients) {
        return recipients == null ? "nothing" : recipients.storeMillis() + " " + List.of(recipients.members());
    }

    private static List<String> causes(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.add(String.valueOf(t.getMessage()));
        }
        return messages;
    }
}
