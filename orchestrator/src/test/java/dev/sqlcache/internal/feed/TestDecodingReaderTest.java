package dev.sqlcache.internal.feed;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The lines PostgreSQL 15's test_decoding writes (copied from its output), read into what invalidation needs. */
class TestDecodingReaderTest {

    private final TestDecodingReader reader = new TestDecodingReader();

    private List<String> tables(String line) {
        return assertInstanceOf(DecodedLine.Change.class, reader.read(line)).tables();
    }

    @Test
    void changesNameTheirTableUnquoted() {
        assertEquals("public.feed_item", assertInstanceOf(DecodedLine.RowChange.class,
                reader.read("table public.feed_item: UPDATE: id[integer]:1 v[text]:'uno: table x.y, z'")).table());
        assertEquals(new DecodedLine.Insert("public.Odd Name"),
                reader.read("table public.\"Odd Name\": INSERT: id[integer]:1"));
        assertEquals("a\"b.c.d:e", assertInstanceOf(DecodedLine.RowChange.class,
                reader.read("table \"a\"\"b\".\"c.d:e\": DELETE: id[integer]:1")).table());
        assertEquals(List.of("public.a", "other.b"),
                tables("table public.a, other.b: TRUNCATE: restart_seqs cascade"));
    }

    @Test
    void transactionsAndMessages() {
        assertInstanceOf(DecodedLine.Begin.class, reader.read("BEGIN"));
        assertInstanceOf(DecodedLine.Begin.class, reader.read("BEGIN 750"));
        assertInstanceOf(DecodedLine.Commit.class, reader.read("COMMIT"));
        assertEquals(new DecodedLine.Message(true, "sqlcache.heartbeat", "42-x:7"),
                reader.read("message: transactional: 1 prefix: sqlcache.heartbeat, sz: 6 content:42-x:7"));
        assertEquals(new DecodedLine.Message(false, "other", ""),
                reader.read("message: transactional: 0 prefix: other, sz: 0 content:"));
    }

    @Test
    void updatesAndDeletesNameTheirRowsColumns() {
        DecodedLine.RowChange update = assertInstanceOf(DecodedLine.RowChange.class, reader.read(
                "table public.tdx: UPDATE: id[integer]:1 \"Odd Col\"[text]:'it''s x' u[uuid]:null"
                        + " arr[integer[]]:'{1,2}' f[double precision]:-1.5e+30"));
        assertEquals("public.tdx", update.table());
        assertEquals(null, update.oldKey());
        // Columns of types that never name a key (an array, a float) are read past, not kept.
        assertEquals(List.of(new DecodedLine.Column("id", "integer", "1", false),
                new DecodedLine.Column("Odd Col", "text", "it's x", true),
                new DecodedLine.Column("u", "uuid", "null", false)), update.newTuple());

        DecodedLine.RowChange keyChange = assertInstanceOf(DecodedLine.RowChange.class, reader.read(
                "table public.tdx: UPDATE: old-key: id[integer]:1 new-tuple: id[integer]:2 v[text]:' new-tuple: '"));
        assertEquals(List.of(new DecodedLine.Column("id", "integer", "1", false)), keyChange.oldKey());
        assertEquals(List.of(new DecodedLine.Column("id", "integer", "2", false),
                new DecodedLine.Column("v", "text", " new-tuple: ", true)), keyChange.newTuple());

        DecodedLine.RowChange delete = assertInstanceOf(DecodedLine.RowChange.class, reader.read(
                "table public.tdy: DELETE: a[bigint]:-5 b[character varying]:'k''1'"));
        assertEquals(List.of(new DecodedLine.Column("a", "bigint", "-5", false),
                new DecodedLine.Column("b", "character varying", "k'1", true)), delete.oldKey());
        assertEquals(null, delete.newTuple());

        assertEquals(new DecodedLine.Insert("public.t"), reader.read("table public.t: INSERT: id[integer]:1"));
    }

    @Test
    void longValuesAreNotKept() {
        String longText = "x".repeat(TupleColumns.MAX_KEPT_CHARS + 1);
        DecodedLine.RowChange update = assertInstanceOf(DecodedLine.RowChange.class, reader.read(
                "table public.t: UPDATE: id[integer]:1 doc[text]:'" + longText + "' n[numeric]:2"));
        assertEquals(List.of(new DecodedLine.Column("id", "integer", "1", false)), update.newTuple());
        DecodedLine.RowChange none = assertInstanceOf(DecodedLine.RowChange.class, reader.read(
                "table public.t: DELETE: n[numeric]:2"));
        assertEquals(List.of(), none.oldKey(), "read, nothing kept: no key found later, the table is whole");
    }

    @Test
    void rowsItCannotReadNameOnlyTheirTable() {
        for (String line : List.of("table public.t: DELETE: (no-tuple-data)",
                "table public.t: UPDATE: (no-tuple-data)",
                "table public.t: UPDATE: id[integer]:1 v[text]:'unterminated",
                "table public.t: UPDATE: id[\"odd]:type\"]:1",
                "table public.t: UPDATE: Id[integer]:1",
                "table public.t: UPDATE: old-key: id[integer]:1",
                "table public.t: TRUNCATE: (no-flags)",
                "table public.t: SOMETHING NEW: id[integer]:1")) {
            assertEquals(List.of("public.t"), tables(line), line);
        }
    }

    @Test
    void aColumnsValueIsNeverInItsText() {
        assertEquals("v[text]", new DecodedLine.Column("v", "text", "secret", true).toString());
    }

    @Test
    void whatItCannotReadIsUnknown() {
        assertInstanceOf(DecodedLine.Unknown.class, reader.read("table public: INSERT: x"));
        assertInstanceOf(DecodedLine.Unknown.class, reader.read("table \"unterminated: INSERT:"));
        assertInstanceOf(DecodedLine.Unknown.class, reader.read("something new"));
    }
}
