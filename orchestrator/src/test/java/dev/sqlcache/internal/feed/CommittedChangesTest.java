package dev.sqlcache.internal.feed;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommittedChangesTest {

    private final TestDecodingReader reader = new TestDecodingReader();
    private final CommittedChanges changes = new CommittedChanges();

    private boolean feed(String line) {
        return changes.accept(reader.read(line));
    }

    @Test
    void onlyCommittedTransactionsCountAndBatchesGatherTables() {
        assertFalse(feed("BEGIN"));
        assertFalse(feed("table public.a: INSERT: id[integer]:1"));
        assertTrue(changes.isEmpty(), "nothing before the commit");
        assertTrue(feed("COMMIT"));
        feed("BEGIN");
        feed("table public.b: DELETE: id[integer]:1");
        feed("table public.a: DELETE: id[integer]:2");
        assertTrue(feed("COMMIT"));
        assertEquals(Set.of("public.a", "public.b"), changes.tables());
        assertEquals(2, changes.transactions());
        changes.applied();
        assertTrue(changes.isEmpty());
    }

    @Test
    void aTransactionCutOffByAReconnectionIsDropped() {
        feed("BEGIN");
        feed("table public.a: INSERT: id[integer]:1");
        feed("BEGIN");
        feed("table public.b: INSERT: id[integer]:1");
        feed("COMMIT");
        assertEquals(Set.of("public.b"), changes.tables());
    }

    @Test
    void heartbeatsOutsideATransactionStandCommitted() {
        // test_decoding sends a transactional message of a transaction that changed no table without BEGIN/COMMIT.
        assertTrue(feed("message: transactional: 1 prefix: sqlcache.heartbeat, sz: 3 content:x:1"));
        feed("BEGIN");
        feed("table public.a: INSERT: id[integer]:1");
        feed("message: transactional: 1 prefix: sqlcache.heartbeat, sz: 3 content:x:2");
        assertEquals(List.of("x:1"), changes.heartbeats(), "the second is not committed yet");
        feed("COMMIT");
        assertEquals(List.of("x:1", "x:2"), changes.heartbeats());
        assertFalse(changes.isEmpty());
    }

    @Test
    void anUnknownLineOrASchemaChangeMessageInvalidatesEverything() {
        feed("BEGIN");
        feed("something new");
        assertFalse(changes.everything());
        feed("COMMIT");
        assertTrue(changes.everything());
        changes.applied();
        assertTrue(feed("message: transactional: 1 prefix: sqlcache.ddl, sz: 0 content:"));
        assertTrue(changes.everything());
        changes.applied();
        assertTrue(feed("message: transactional: 0 prefix: somebody.else, sz: 0 content:"));
        assertFalse(changes.everything());
    }

    @Test
    void rowsAreKeptPerTableUntilTooManyMakeItWhole() {
        feed("BEGIN");
        feed("table public.a: UPDATE: id[integer]:1 v[text]:'x'");
        feed("table public.a: DELETE: id[integer]:2");
        feed("table public.b: INSERT: id[integer]:1");
        feed("table public.c: TRUNCATE: (no-flags)");
        feed("table public.c: DELETE: id[integer]:3");
        assertTrue(changes.changed().isEmpty(), "nothing before the commit");
        feed("COMMIT");
        ChangedTables.Changed a = changes.changed().byTable().get("public.a");
        assertEquals(2, a.rows().size());
        assertFalse(a.whole() || a.inserted());
        ChangedTables.Changed b = changes.changed().byTable().get("public.b");
        assertTrue(b.inserted() && !b.whole() && b.rows().isEmpty());
        ChangedTables.Changed c = changes.changed().byTable().get("public.c");
        assertTrue(c.whole() && c.rows().isEmpty(), "a truncated table stays whole");

        changes.applied();
        feed("BEGIN");
        for (int i = 0; i <= ChangedTables.MAX_ROWS; i++) {
            feed("table public.a: DELETE: id[integer]:" + i);
        }
        feed("COMMIT");
        ChangedTables.Changed many = changes.changed().byTable().get("public.a");
        assertTrue(many.whole() && many.rows().isEmpty(), "past the bound the table is whole");
    }
}
