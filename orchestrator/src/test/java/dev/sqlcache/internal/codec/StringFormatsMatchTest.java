package dev.sqlcache.internal.codec;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link StringFormats#matches}: deciding without formatting must agree with formatting and comparing, for every
 * value and every text, the driver's own text of another value and texts no value formats to among them. A
 * disagreement either stores a needless override or, worse, serves a getString the driver would not have given.
 */
class StringFormatsMatchTest {

    private static final String[] ODD_TEXTS = {"", "-", "-0", "0", "00", "007", "+7", "7.", ".5", "0.50", "-0.00",
            "0.00", "1e3", "1E+3", "1000", "1.0E+3", " 1", "1 ", "٣", "12345678901234567890", "-9223372036854775808",
            "9223372036854775807", "9223372036854775808", "0.000001", "0.0000001", "1E-7", "1.00E-7", "--1", "1-"};

    @Test
    void integersAgreeWithFormatting() {
        List<Long> values = new ArrayList<>(List.of(0L, 1L, -1L, 9L, 10L, -10L, 99L, 100L, Long.MAX_VALUE,
                Long.MIN_VALUE, (long) Integer.MAX_VALUE, (long) Integer.MIN_VALUE, 42L, -42L, 1_000_000L));
        Random random = new Random(13);
        for (int i = 0; i < 2000; i++) {
            values.add(random.nextLong() >> random.nextInt(64));
        }
        List<String> texts = new ArrayList<>(List.of(ODD_TEXTS));
        for (long v : values) {
            texts.add(Long.toString(v));
        }
        List<String> wrong = new ArrayList<>();
        for (long v : values) {
            check(wrong, ValueKind.LONG, 0, v, texts);
            if (v == (int) v) {
                check(wrong, ValueKind.INTEGER, 0, (int) v, texts);
            }
            if (v == (short) v) {
                check(wrong, ValueKind.SHORT, 0, (short) v, texts);
            }
            if (v == (byte) v) {
                check(wrong, ValueKind.BYTE, 0, (byte) v, texts);
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void decimalsAgreeWithFormattingInBothStyles() {
        List<BigDecimal> values = new ArrayList<>();
        for (String s : new String[] {"0", "0.00", "-0.5", "0.5", "1.50", "-1.50", "12.30", "1E+3", "1.0E+3",
                "100", "0.05", "0.000001", "0.0000001", "1E-7", "123456789012345678", "1234567890123456789",
                "-123456789012345678.5", "99999999999999999999999999999999999999", "0.1234567890", "-0.0000000001",
                "1234567890123456789012345678.1234567890", "7", "-7", "1E+0", "5E-1"}) {
            values.add(new BigDecimal(s));
        }
        Random random = new Random(31);
        for (int i = 0; i < 1500; i++) {
            BigInteger unscaled = new BigInteger(1 + random.nextInt(80), random);
            values.add(new BigDecimal(random.nextBoolean() ? unscaled : unscaled.negate(), random.nextInt(30) - 5));
        }
        List<String> texts = new ArrayList<>(List.of(ODD_TEXTS));
        for (BigDecimal v : values) {
            texts.add(v.toPlainString());
            texts.add(v.toString());
        }
        List<String> wrong = new ArrayList<>();
        for (BigDecimal v : values) {
            for (int style = 0; style < StringFormats.styleCount(ValueKind.BIG_DECIMAL); style++) {
                check(wrong, ValueKind.BIG_DECIMAL, style, v, texts);
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void noTextMatchesNothing() {
        assertEquals(false, StringFormats.matches(ValueKind.INTEGER, 0, 0, 1, null));
        assertEquals(false, StringFormats.matches(ValueKind.BIG_DECIMAL, 0, 2, new BigDecimal("1.00"), null));
    }

    private static void check(List<String> wrong, ValueKind kind, int style, Object v, List<String> texts) {
        String formatted = StringFormats.format(kind, style, 0, v);
        for (String text : texts) {
            boolean expected = formatted.equals(text);
            if (StringFormats.matches(kind, style, 0, v, text) != expected) {
                wrong.add(kind + " style " + style + " " + formatted + " against '" + text + "': " + !expected);
            }
        }
    }
}
