package dev.sqlcache.internal.codec;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

/**
 * How a hit derives getString for a non-string cell without storing the text. Drivers format values in
 * their own ways, so every kind has a few candidate styles; capture picks per column the first style that
 * reproduces the driver's text for the first non-null value, and stores the driver's text for any cell where
 * the chosen style does not reproduce it exactly. Style numbers are part of the on-disk format: only append.
 */
final class StringFormats {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private StringFormats() {
    }

    static int styleCount(ValueKind kind) {
        switch (kind) {
            case BOOLEAN:
                return 4;
            case BIG_DECIMAL:
            case OFFSET_DATE_TIME:
            case OFFSET_TIME:
            case TIME:
                return 2;
            case TIMESTAMP:
            case BYTES:
                return 3;
            default:
                return 1;
        }
    }

    /** The text of a non-null internal cell value in the given style; scale is the column's metadata scale. */
    static String format(ValueKind kind, int style, int scale, Object v) {
        switch (kind) {
            case BOOLEAN: {
                boolean b = (Boolean) v;
                switch (style) {
                    case 0: return b ? "true" : "false";
                    case 1: return b ? "TRUE" : "FALSE";
                    case 2: return b ? "t" : "f";
                    default: return b ? "1" : "0";
                }
            }
            case BIG_DECIMAL:
                return style == 0 ? ((BigDecimal) v).toPlainString() : v.toString();
            case STRING:
                return (String) v;
            case DATE:
                return v.toString();
            case TIME: {
                TimeValue t = (TimeValue) v;
                if (t.localTime() == null) {
                    return new java.sql.Time(t.epochMillis()).toString();
                }
                return style == 0 ? timeTrimmed(t.localTime()) : timeFixed(t.localTime(), scale);
            }
            case TIMESTAMP: {
                Timestamp ts = (Timestamp) v;
                if (style == 0) {
                    return ts.toString();
                }
                String s = ts.toString();
                String base = s.substring(0, s.lastIndexOf('.'));
                return base + fraction(ts.getNanos(), style == 1 ? -1 : scale);
            }
            case OFFSET_DATE_TIME: {
                OffsetDateTime o = (OffsetDateTime) v;
                if (style == 0) {
                    return o.toString();
                }
                return o.toLocalDate() + " " + timeTrimmed(o.toLocalTime()) + offset(o.getOffset());
            }
            case OFFSET_TIME: {
                OffsetTime o = (OffsetTime) v;
                return style == 0 ? o.toString() : timeTrimmed(o.toLocalTime()) + offset(o.getOffset());
            }
            case BYTES: {
                byte[] b = (byte[]) v;
                if (style == 2) {
                    return new String(b, StandardCharsets.UTF_8);
                }
                StringBuilder sb = new StringBuilder(b.length * 2 + 2);
                if (style == 1) {
                    sb.append("\\x");
                }
                for (byte x : b) {
                    sb.append(HEX[(x >> 4) & 15]).append(HEX[x & 15]);
                }
                return sb.toString();
            }
            default:
                return v.toString();
        }
    }

    /**
     * Whether {@code text} is exactly {@code format(kind, style, scale, v)}, decided without making that text where
     * the value's form makes it certain (integers, and decimals whose plain form is digits and one point); any other
     * case formats and compares. A miss compares every cell this way: most are numbers.
     */
    static boolean matches(ValueKind kind, int style, int scale, Object v, String text) {
        if (text == null) {
            return false;
        }
        switch (kind) {
            case BYTE:
            case SHORT:
            case INTEGER:
            case LONG:
                return isDecimalText(((Number) v).longValue(), text);
            case BIG_DECIMAL: {
                BigDecimal d = (BigDecimal) v;
                // toString is the plain form when the scale is not negative and the adjusted exponent is -6 or
                // more (its specification); toPlainString is the plain form whenever the scale is not negative.
                boolean plain = d.scale() >= 0 && (style == 0 || d.precision() - d.scale() - 1 >= -6);
                if (plain) {
                    int answer = isPlainText(d, text);
                    if (answer >= 0) {
                        return answer == 1;
                    }
                }
                break;
            }
            default:
                break;
        }
        return format(kind, style, scale, v).equals(text);
    }

    /** Whether {@code text} is {@code Long.toString(v)}, compared digit by digit from the end. */
    static boolean isDecimalText(long v, String text) {
        int i = text.length();
        // Digits of a negative remainder, so that Long.MIN_VALUE needs no special case.
        long x = v < 0 ? v : -v;
        do {
            if (--i < 0 || text.charAt(i) != (char) ('0' - x % 10)) {
                return false;
            }
            x /= 10;
        } while (x != 0);
        if (v < 0 && (--i < 0 || text.charAt(i) != '-')) {
            return false;
        }
        return i == 0;
    }

    /**
     * For a decimal of non-negative scale: 1 when {@code text} is its plain form, 0 when it is certainly not, -1
     * when this cannot tell without formatting (text that is not the canonical plain form of any value, or more
     * than 18 digits). The canonical plain form of unscaled value u and scale s ≥ 0 is an optional minus (never
     * for zero), the integer digits without leading zeros ("0" when there are none), and, when s &gt; 0, a point
     * and exactly s digits: so a canonical text names exactly one (u, s), and is d's plain form exactly when that
     * (u, s) is d's.
     */
    static int isPlainText(BigDecimal d, String text) {
        int n = text.length();
        int i = 0;
        boolean negative = n > 0 && text.charAt(0) == '-';
        if (negative) {
            i++;
        }
        int integerStart = i;
        long unscaled = 0;
        int digits = 0;
        int fraction = -1;
        for (; i < n; i++) {
            char ch = text.charAt(i);
            if (ch == '.') {
                if (fraction >= 0 || i == integerStart) {
                    return -1;
                }
                fraction = 0;
                continue;
            }
            if (ch < '0' || ch > '9' || ++digits > 18) {
                return -1;
            }
            if (fraction >= 0) {
                fraction++;
            }
            unscaled = unscaled * 10 + (ch - '0');
        }
        int integerDigits = digits - Math.max(fraction, 0);
        if (integerDigits < 1 || fraction == 0 || (integerDigits > 1 && text.charAt(integerStart) == '0')
                || (negative && unscaled == 0)) {
            return -1;
        }
        int scale = Math.max(fraction, 0);
        if (d.scale() != scale) {
            return 0;
        }
        return BigDecimal.valueOf(negative ? -unscaled : unscaled, scale).equals(d) ? 1 : 0;
    }

    /** HH:mm:ss plus the fraction without trailing zeros (none when zero), as PostgreSQL and H2 print it. */
    static String timeTrimmed(LocalTime t) {
        return hms(t) + fraction(t.getNano(), -1);
    }

    private static String timeFixed(LocalTime t, int scale) {
        return hms(t) + fraction(t.getNano(), scale);
    }

    private static String hms(LocalTime t) {
        StringBuilder sb = new StringBuilder(8);
        two(sb, t.getHour()).append(':');
        two(sb, t.getMinute()).append(':');
        two(sb, t.getSecond());
        return sb.toString();
    }

    /** The fraction of a second: trimmed when digits &lt; 0, else exactly that many digits (0 → none). */
    private static String fraction(int nanos, int digits) {
        String nine = String.valueOf(1_000_000_000 + nanos).substring(1);
        if (digits < 0) {
            int end = 9;
            while (end > 0 && nine.charAt(end - 1) == '0') {
                end--;
            }
            return end == 0 ? "" : "." + nine.substring(0, end);
        }
        if (digits == 0) {
            return "";
        }
        return "." + nine.substring(0, Math.min(9, digits));
    }

    private static String offset(ZoneOffset off) {
        int total = off.getTotalSeconds();
        StringBuilder sb = new StringBuilder(total < 0 ? "-" : "+");
        total = Math.abs(total);
        two(sb, total / 3600);
        int min = total / 60 % 60;
        int sec = total % 60;
        if (min != 0 || sec != 0) {
            two(sb.append(':'), min);
        }
        if (sec != 0) {
            two(sb.append(':'), sec);
        }
        return sb.toString();
    }

    private static StringBuilder two(StringBuilder sb, int v) {
        if (v < 10) {
            sb.append('0');
        }
        return sb.append(v);
    }
}
