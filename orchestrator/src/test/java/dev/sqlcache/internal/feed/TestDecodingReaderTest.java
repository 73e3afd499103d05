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
        assertEquals(List.of("public.feed_item"),
                tables("table public.feed_item: UPDATE: id[integer]:1 v[text]:'uno: table x.y, z'"));
        assertEquals(List.of("public.Odd Name"), tables("table public.\"Odd Name\": INSERT: id[integer]:1"));
        assertEquals(List.of("a\"b.c.d:e"), tables("table \"a\"\"b\".\"c.d:e\": DELETE: id[integer]:1"));
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
    void whatItCannotReadIsUnknown() {
        assertInstanceOf(DecodedLine.Unknown.class, reader.read("table public: INSERT: x"));
        assertInstanceOf(DecodedLine.Unknown.class, reader.read("table \"unterminated: INSERT:"));
        assertInstanceOf(DecodedLine.Unknown.class, reader.read("something new"));
    }
}
