package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review rS of hS (#13), an attack that fails, pinned: a held run named by its origin alone (the bare lease token
 * it began over) would repeat when that token is placed bare again, as a failed lease attempt that lands late places
 * it (after the key was lost and a reader copied under a token of its own). The run's server microsecond tells the two
 * apart, so a write that joined the first run still tells at its end. Passes on hS's scripts; fails with the clock
 * reading dropped from newRun (lease_helpers.lua).
 */
class HeldRunOriginTest extends PrivateRedisStoreTest {

    private static final String TABLE = "sql:items:version:db1";

    private static CacheStore.Recipients lease(String token, String writer) {
        return store.leaseVersions(new String[] {TABLE}, new String[] {token}, 30_000,
                new CacheStore.Notice(writer, VersionTokens.fresh()));
    }

    @Test
    void aRunBegunAgainOverTheSameTokenIsAnotherRun() {
        server.command("FLUSHALL");
        server.command("ZADD", NearChannel.MEMBERS_KEY, Long.toString(System.currentTimeMillis() + 600_000),
                "another-jvm");
        String first = VersionTokens.freshLease();
        lease(first, "first-writer"); // alone: its token bare
        String joiner = VersionTokens.freshLease();
        CacheStore.Recipients joined = lease(joiner, "writer-jvm");
        String run = joined.runs()[0];
        assertTrue(run.endsWith("/" + first), "the run began over the first write's token: " + run);

        // The key lost, a reader's token in it (it may copy under it), the first write's failed attempt landing late,
        // and a third write joining that bare token: a run over the same origin.
        server.command("DEL", TABLE);
        server.command("SET", TABLE, "a-reader-recreated-it");
        lease(first, "first-writer");
        CacheStore.Recipients third = lease(VersionTokens.freshLease(), "third-writer");
        assertTrue(third.runs()[0].endsWith("/" + first), "the same origin: " + third.runs()[0]);

        CacheStore.Recipients ended = store.endLeases(new String[] {TABLE}, new String[] {joiner}, null,
                new CacheStore.Notice("writer-jvm", VersionTokens.fresh(), true, new String[] {run}));
        assertEquals(List.of("another-jvm"), Arrays.asList(ended.members()), "the end names the member");
    }
}
