package dev.sqlcache.internal.config;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Parses the text of one setting. Each method throws {@link BadValue} with the "why" half of an error message;
 * the caller adds which setting and which value, so that secrets can be left out there.
 */
final class ValueParsers {

    /** A value that does not parse; the message completes "SETTING: "VALUE" ...". */
    static final class BadValue extends Exception {
        BadValue(String reason) {
            super(reason, null, false, false);
        }
    }

    private ValueParsers() {
    }

    static boolean parseBoolean(String text) throws BadValue {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1":
                return true;
            case "false", "no", "off", "0":
                return false;
            default:
                throw new BadValue("is not a boolean (true/false, yes/no, on/off, 1/0)");
        }
    }

    static int parseInt(String text, int min, int max, String what) throws BadValue {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new BadValue("is not " + what + " (" + min + "-" + max + ")");
        }
        if (value < min || value > max) {
            throw new BadValue("is not " + what + " (" + min + "-" + max + ")");
        }
        return (int) value;
    }

    static int parsePort(String text) throws BadValue {
        return parseInt(text, 1, 65535, "a port number");
    }

    /**
     * A list of {@code host:port} addresses separated by commas, IPv6 hosts in brackets ({@code [::1]:26379}).
     * The port is required: a sentinel's usual port (26379) differs from Redis's, and guessing wrong would only
     * show up as a timeout much later.
     */
    static java.util.List<SentinelSettings.Node> parseNodes(String text) throws BadValue {
        java.util.List<SentinelSettings.Node> nodes = new java.util.ArrayList<>();
        for (String item : text.split(",", -1)) {
            String address = item.trim();
            if (address.isEmpty()) {
                throw new BadValue("has an empty address (write host:port,host:port)");
            }
            int colon = address.lastIndexOf(':');
            if (colon <= 0 || colon == address.length() - 1) {
                throw new BadValue("has \"" + address + "\" without a port (write host:port,host:port)");
            }
            String host = address.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw new BadValue("has \"" + address + "\": write an IPv6 address in brackets ([::1]:26379)");
            }
            if (host.isEmpty() || host.contains(" ")) {
                throw new BadValue("has \"" + address + "\" without a valid host");
            }
            int port;
            try {
                port = parsePort(address.substring(colon + 1));
            } catch (BadValue e) {
                throw new BadValue("has \"" + address + "\" whose port is not a port number (1-65535)");
            }
            SentinelSettings.Node node = new SentinelSettings.Node(host, port);
            if (nodes.contains(node)) {
                throw new BadValue("names " + node.describe() + " twice");
            }
            nodes.add(node);
        }
        return nodes;
    }

    /**
     * A duration in milliseconds: a plain number is seconds and may have decimals (as redis-py's timeouts), or a
     * number with the suffix {@code ms}, {@code s}, {@code m} or {@code h}. Must be positive: a zero timeout means
     * "wait forever" to a socket, and a zero TTL would cache nothing.
     */
    /** {@link #parseDurationMillis}, or 0 for {@code 0} (a duration that turns something off). */
    static long parseDurationOrZeroMillis(String text) throws BadValue {
        return text.trim().equals("0") ? 0 : parseDurationMillis(text);
    }

    static long parseDurationMillis(String text) throws BadValue {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unitMillis = 1000;
        String number = t;
        if (t.endsWith("ms")) {
            unitMillis = 1;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            number = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            unitMillis = 60_000;
            number = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            unitMillis = 3_600_000;
            number = t.substring(0, t.length() - 1);
        }
        BigDecimal millis;
        try {
            millis = new BigDecimal(number.trim()).multiply(BigDecimal.valueOf(unitMillis));
        } catch (NumberFormatException e) {
            throw new BadValue("is not a duration (seconds, or a number with ms, s, m or h)");
        }
        if (millis.signum() <= 0) {
            throw new BadValue("is not a positive duration");
        }
        if (millis.stripTrailingZeros().scale() > 0) {
            throw new BadValue("is finer than a millisecond");
        }
        if (millis.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
            throw new BadValue("is too long (at most " + Integer.MAX_VALUE / 1000 + " s)");
        }
        return millis.longValueExact();
    }

    /** A time to live: a positive duration of whole seconds, since Redis expiries here are set in seconds. */
    static long parseTtlSeconds(String text) throws BadValue {
        long millis = parseDurationMillis(text);
        if (millis % 1000 != 0) {
            throw new BadValue("is not a whole number of seconds");
        }
        return millis / 1000;
    }

    /** A size in bytes: a plain number, or with the suffix {@code b}, {@code kb}, {@code mb} or {@code gb} (x1024). */
    static long parseBytes(String text, long max) throws BadValue {
        return parseBytes(text, max, false);
    }

    /** {@link #parseBytes(String, long)}, accepting 0 when {@code zeroAllowed} (a size that turns something off). */
    static long parseBytes(String text, long max, boolean zeroAllowed) throws BadValue {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        String number = t;
        if (t.endsWith("kb")) {
            unit = 1024;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("mb")) {
            unit = 1024 * 1024;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("gb")) {
            unit = 1024L * 1024 * 1024;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("b")) {
            number = t.substring(0, t.length() - 1);
        }
        long value;
        try {
            value = Math.multiplyExact(Long.parseLong(number.trim()), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new BadValue("is not a size (bytes, or a whole number with kb, mb or gb)");
        }
        if (value < 0 || value == 0 && !zeroAllowed) {
            throw new BadValue(zeroAllowed ? "is not a size of 0 or more" : "is not a positive size");
        }
        if (value > max) {
            throw new BadValue("is too large (at most " + max + " bytes)");
        }
        return value;
    }
}
