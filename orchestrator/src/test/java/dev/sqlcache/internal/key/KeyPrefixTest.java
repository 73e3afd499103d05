package dev.sqlcache.internal.key;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Entry keys hashed from a prefix kept per statement are the keys of before: byte for byte, so that an upgrade
 * keeps every stored entry and JVMs of both versions share them.
 */
class KeyPrefixTest {

    private static final byte[] CONTEXT = CacheKeyBuilder.contextDigest("jdbc:h2:mem:x", "sa", "db", "public", "UTC");
    private static final String SQL = "select * from t where a = ?";
    /** Long enough that the prefix keeps the digest's state and clones it. */
    private static final String LONG_SQL = "select t.id, t.name, t.city, t.credit, t.created_at, t.updated_at, o.id,"
            + " o.amount, o.status from customers t join orders o on o.customer_id = t.id where t.id = ? and o.status"
            + " in ('open', 'shipped') and o.amount > 0 order by o.id, t.name, t.city, t.credit, t.created_at,"
            + " t.updated_at limit 100 offset 0 -- \u00e9";

    private static BoundParameters p(Object... typeValue) {
        BoundParameters p = new BoundParameters();
        for (int i = 0; i < typeValue.length; i += 2) {
            p.set(i / 2 + 1, (ParameterType) typeValue[i], typeValue[i + 1]);
        }
        return p;
    }

    /** Keys as the code before per-statement prefixes made them (commit d46752c), for these exact inputs. */
    @Test
    void keysAreThoseOfBefore() {
        Timestamp ts = new Timestamp(1_700_000_000_123L);
        ts.setNanos(123_456_789);
        List<Object[]> cases = List.of(
                new Object[] {SQL, null, 0L, 0, "ac88410fde83087ab5dfc60d7045c965"},
                new Object[] {SQL, p(ParameterType.INT, 42), 0L, 0, "81edbf84085b01591a3b1a1eb28838ce"},
                new Object[] {SQL, p(ParameterType.INT, Integer.MIN_VALUE), 0L, 0, "ae9ac0aa62a0326820545559f4eeebed"},
                new Object[] {SQL, p(ParameterType.LONG, Long.MIN_VALUE), 0L, 0, "f9cf4548c0f9cdb989aa975346b5700a"},
                new Object[] {SQL, p(ParameterType.LONG, 9_000_000_000L), 0L, 0, "18a88f75c47aa2c1262e279cb5cc31f6"},
                new Object[] {SQL, p(ParameterType.SHORT, (short) -7, ParameterType.BYTE, (byte) 3), 0L, 0,
                        "a5c218031550f238ca67cbf2465ab832"},
                new Object[] {SQL, p(ParameterType.BOOLEAN, true), 0L, 0, "a8b437f195d7b6e0296e31d6d2675281"},
                new Object[] {SQL, p(ParameterType.STRING, "ascii value"), 0L, 0, "29226b4bc3c413c704ee55c8a84cbb6a"},
                new Object[] {SQL, p(ParameterType.STRING, "\u00e9 \u00fc \u65e5\u672c"), 0L, 0,
                        "7acf3271e2df7face78598d020ab156a"},
                new Object[] {SQL, p(ParameterType.NSTRING, ""), 0L, 0, "78906a2112dcb12336c33044715d9bb4"},
                new Object[] {SQL, p(ParameterType.STRING, null), 0L, 0, "37893585aeecab39a165353088b2ab3a"},
                new Object[] {SQL, p(ParameterType.BIG_DECIMAL, new BigDecimal("1.50")), 0L, 0,
                        "c48b2665d74ee7ad9f44ff1d6a082c12"},
                new Object[] {SQL, p(ParameterType.INT, 1, ParameterType.STRING, "x", ParameterType.TIMESTAMP, ts,
                        ParameterType.BYTES, new byte[] {1, 2, 3}), 0L, 0, "0ada43b14998b8d85a468f731162c894"},
                new Object[] {LONG_SQL, p(ParameterType.INT, 7), 10L, 100, "90d9d8d2f34857498f159c6b6fccca80"},
                new Object[] {LONG_SQL, p(ParameterType.UUID, new UUID(1, 2), ParameterType.LOCAL_DATE,
                        LocalDate.of(2024, 2, 29)), 0L, 0, "7e86cab089cc71ccadab623ce4abbf11"},
                new Object[] {SQL, p(ParameterType.OBJECT_WITH_TARGET_TYPE, new Object[] {"INT", 5, 4}), 0L, 0,
                        "33c2327cfc62b4e36ada851df70d7cd1"});
        for (Object[] c : cases) {
            String sql = (String) c[0];
            BoundParameters parameters = (BoundParameters) c[1];
            String expected = "sql:t:data:" + c[4];
            KeyPrefix prefix = KeyPrefix.of("t", CONTEXT, sql);
            // Twice: the kept state must not change with use.
            for (int run = 0; run < 2; run++) {
                assertEquals(expected, prefix.entryKey(parameters, (Long) c[2], (Integer) c[3]), sql + " " + c[4]);
            }
            assertEquals(expected, CacheKeyBuilder.entryKey("t", CONTEXT, sql, parameters, (Long) c[2], (Integer) c[3]));
        }
    }

    /** Every length around the point where the prefix starts keeping the digest's state gives the same keys. */
    @ParameterizedTest
    @ValueSource(longs = {1, 7, 2025})
    void sameKeysAsHashingEverythingForEveryLength(long seed) {
        Random random = new Random(seed);
        StringBuilder sql = new StringBuilder("select * from t where a = ?");
        for (int length = sql.length(); length < 2 * KeyPrefix.CLONE_FROM_BYTES; length++) {
            KeyPrefix prefix = KeyPrefix.of("t", CONTEXT, sql.toString());
            int value = random.nextInt();
            String text = random.nextBoolean() ? "v" + value : "\u00e9" + value;
            BoundParameters parameters = p(ParameterType.INT, value, ParameterType.STRING, text,
                    ParameterType.LONG, (long) value << 17);
            assertEquals(CacheKeyBuilder.entryKey("t", CONTEXT, sql.toString(), parameters, length, 3),
                    prefix.entryKey(parameters, length, 3), "SQL of " + length + " characters");
            sql.append(random.nextBoolean() ? ' ' : (char) ('a' + random.nextInt(26)));
        }
    }

    /**
     * Integers, longs, shorts, bytes and strings are hashed without copying them into bytes of their own; the bytes
     * must be those of the general case, the class name and {@code toString()} as length-prefixed UTF-8.
     */
    @ParameterizedTest
    @ValueSource(longs = {3, 11, 99})
    void valuesHashedInPlaceGiveTheGeneralCasesBytes(long seed) throws Exception {
        Random random = new Random(seed);
        List<Object[]> values = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long n = random.nextLong() >> random.nextInt(64);
            values.add(new Object[] {ParameterType.LONG, n});
            values.add(new Object[] {ParameterType.INT, (int) n});
            values.add(new Object[] {ParameterType.SHORT, (short) n});
            values.add(new Object[] {ParameterType.BYTE, (byte) n});
            StringBuilder text = new StringBuilder();
            for (int c = random.nextInt(300); c > 0; c--) {
                text.append((char) (random.nextInt(10) == 0 ? random.nextInt(0x800) : random.nextInt(0x80)));
            }
            values.add(new Object[] {ParameterType.STRING, text.toString()});
        }
        values.add(new Object[] {ParameterType.LONG, Long.MIN_VALUE});
        values.add(new Object[] {ParameterType.LONG, Long.MAX_VALUE});
        values.add(new Object[] {ParameterType.INT, 0});
        values.add(new Object[] {ParameterType.STRING, "x".repeat(256)});
        values.add(new Object[] {ParameterType.STRING, "x".repeat(257)});
        for (Object[] v : values) {
            BoundParameters parameters = p(v[0], v[1]);
            assertEquals(reference(SQL, (ParameterType) v[0], v[1]),
                    KeyPrefix.of("t", CONTEXT, SQL).entryKey(parameters, 0, 0), v[0] + " " + v[1]);
        }
    }

    /** The key as the general case hashes one value: class name and text, each length-prefixed UTF-8. */
    private static String reference(String sql, ParameterType type, Object value) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        md.update(CONTEXT);
        referenceString(md, sql);
        referenceLong(md, 0);
        referenceLong(md, 0);
        referenceLong(md, 1);
        md.update((byte) type.ordinal());
        md.update((byte) 1);
        referenceString(md, value.getClass().getName());
        referenceString(md, value.toString());
        return "sql:t:data:" + java.util.HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    private static void referenceString(java.security.MessageDigest md, String s) {
        byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        referenceLong(md, bytes.length);
        md.update(bytes);
    }

    private static void referenceLong(java.security.MessageDigest md, long v) {
        md.update(java.nio.ByteBuffer.allocate(8).putLong(v).array());
    }

    @Test
    void aPrefixIsForItsContextOnly() {
        KeyPrefix prefix = KeyPrefix.of("t", CONTEXT, SQL);
        assertTrue(prefix.isFor(CONTEXT));
        assertTrue(prefix.isFor(CONTEXT.clone()), "another connection with the same context");
        assertFalse(prefix.isFor(CacheKeyBuilder.contextDigest("jdbc:h2:mem:x", "other", "db", "public", "UTC")));
    }

    /** A string longer than the per-thread buffer is hashed as UTF-8 like any other. */
    @Test
    void longStringsAreHashedLikeShortOnes() {
        String longText = "x".repeat(1000);
        BoundParameters parameters = p(ParameterType.STRING, longText);
        assertEquals(CacheKeyBuilder.entryKey("t", CONTEXT, SQL, parameters, 0, 0),
                KeyPrefix.of("t", CONTEXT, SQL).entryKey(parameters, 0, 0));
    }
}
