package dev.sqlcache.internal.feed;

import dev.sqlcache.internal.engine.TableFacts;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.sql.Types;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which rows the stream shows are named by their key exactly, and which make the feed invalidate the table. */
class StreamedRowKeyTest {

    private final TestDecodingReader reader = new TestDecodingReader();

    private static PrimaryKeys.Key key(boolean identityIsKey, PrimaryKeys.Column... columns) {
        return new PrimaryKeys.Key(List.of(columns), identityIsKey, true);
    }

    private static final PrimaryKeys.Key BY_ID = key(true, new PrimaryKeys.Column("id", "int4", true));

    private StreamedRowKey.Values of(PrimaryKeys.Key key, String line) {
        return StreamedRowKey.of(key, assertInstanceOf(DecodedLine.RowChange.class, reader.read(line)));
    }

    @Test
    void anUpdateOrDeleteUnderAnUnchangedKeyIsNamedByIt() {
        StreamedRowKey.Values update = of(BY_ID, "table public.t: UPDATE: id[integer]:1 v[text]:'x'");
        assertEquals(List.of(new TableFacts.KeyColumn("id", Types.INTEGER, "int4")), update.key());
        assertEquals(List.of(BigInteger.ONE), update.values());
        assertEquals(List.of(BigInteger.valueOf(-7)), of(BY_ID, "table public.t: DELETE: id[integer]:-7").values());
        // REPLICA IDENTITY FULL shows the old row on every update: the same key is still one row.
        assertEquals(List.of(BigInteger.TWO), of(BY_ID,
                "table public.t: UPDATE: old-key: id[integer]:2 v[text]:'a' new-tuple: id[integer]:2 v[text]:'b'")
                .values());

        PrimaryKeys.Key composite = key(true, new PrimaryKeys.Column("b", "varchar", true),
                new PrimaryKeys.Column("a", "int8", true), new PrimaryKeys.Column("u", "uuid", true));
        StreamedRowKey.Values values = of(composite, "table public.t: DELETE: a[bigint]:-5 b[character varying]:'k''1'"
                + " u[uuid]:'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'");
        assertEquals(List.of("k'1", BigInteger.valueOf(-5), UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
                values.values(), "in key order, not the stream's");
        assertEquals(List.of(Types.VARCHAR, Types.BIGINT, Types.OTHER),
                values.key().stream().map(TableFacts.KeyColumn::jdbcType).toList());
    }

    @Test
    void whatCannotBeToldForSureIsNoRow() {
        // The key changed.
        assertNull(of(BY_ID, "table public.t: UPDATE: old-key: id[integer]:1 new-tuple: id[integer]:2 v[text]:'x'"));
        // No primary key; another replica identity (a key change would not show an old key).
        assertNull(of(null, "table public.t: UPDATE: id[integer]:1"));
        assertNull(of(key(false, new PrimaryKeys.Column("id", "int4", true)), "table public.t: UPDATE: id[integer]:1"));
        // A key column missing from what the stream shows (a replica identity on another index).
        assertNull(of(BY_ID, "table public.t: DELETE: code[text]:'x'"));
        // Types whose text is not exactly a bound value: numeric, char(n), a domain; a type the stream names otherwise.
        assertNull(of(key(true, new PrimaryKeys.Column("id", "numeric", true)), "table public.t: DELETE: id[numeric]:1"));
        assertNull(of(key(true, new PrimaryKeys.Column("id", "bpchar", true)),
                "table public.t: DELETE: id[character]:'a  '"));
        assertNull(of(key(true, new PrimaryKeys.Column("id", "my_int", true)), "table public.t: DELETE: id[my_int]:1"));
        assertNull(of(BY_ID, "table public.t: DELETE: id[bigint]:1"));
        // Text under a non-deterministic collation (another spelling may match the row), or not in UTF-8.
        assertNull(of(key(true, new PrimaryKeys.Column("k", "text", false)), "table public.t: DELETE: k[text]:'A'"));
        assertNull(StreamedRowKey.of(new PrimaryKeys.Key(List.of(new PrimaryKeys.Column("k", "text", true)), true,
                false), assertInstanceOf(DecodedLine.RowChange.class, reader.read("table public.t: DELETE: k[text]:'A'"))));
        // A key value stored out of line and not changed: the stream does not show it.
        assertNull(of(key(true, new PrimaryKeys.Column("k", "text", true)),
                "table public.t: UPDATE: k[text]:unchanged-toast-datum v[integer]:1"));
        assertNull(of(key(true, new PrimaryKeys.Column("k", "text", true)), "table public.t: DELETE: k[text]:null"));
        // A key value too long to be kept.
        assertNull(of(key(true, new PrimaryKeys.Column("k", "text", true)),
                "table public.t: DELETE: k[text]:'" + "k".repeat(TupleColumns.MAX_KEPT_CHARS + 1) + "'"));
    }
}
