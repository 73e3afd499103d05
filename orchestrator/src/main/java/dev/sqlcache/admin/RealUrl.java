package dev.sqlcache.admin;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The real JDBC URL behind what the user typed, and the {@code sqlcache.*} settings it carried. A
 * {@code jdbc:sqlcache:} URL loses its prefix once and its {@code ?sqlcache.x=..} and {@code ;sqlcache.x=..}
 * parameters, exactly as the driver's {@code SqlCacheUrl} does it (that class is in the proxy-driver module, which
 * depends on this one, so its parsing is repeated here); a real URL is taken as it is.
 *
 * @param realUrl  the URL the real driver sees, which names the database
 * @param settings sqlcache settings found in the URL
 */
record RealUrl(String realUrl, Map<String, String> settings) {

    static final String SQLCACHE_PREFIX = "jdbc:sqlcache:";

    static RealUrl parse(String url) throws AdminException {
        String trimmed = url.strip();
        if (!trimmed.regionMatches(true, 0, "jdbc:", 0, "jdbc:".length())) {
            throw AdminException.usage("--url: \"" + mask(trimmed) + "\" is not a JDBC URL (jdbc:...)");
        }
        if (!trimmed.regionMatches(true, 0, SQLCACHE_PREFIX, 0, SQLCACHE_PREFIX.length())) {
            return new RealUrl(trimmed, Map.of());
        }
        String real = "jdbc:" + trimmed.substring(SQLCACHE_PREFIX.length());
        if (real.length() == "jdbc:".length()) {
            throw AdminException.usage("--url: \"" + trimmed + "\" names no real driver");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        String query = null;
        int q = real.indexOf('?');
        if (q >= 0) {
            query = real.substring(q + 1);
            real = real.substring(0, q);
        }
        real = stripSemicolonSettings(real, settings);
        if (query != null) {
            StringJoiner kept = new StringJoiner("&");
            for (String part : query.split("&", -1)) {
                if (isSetting(part)) {
                    int eq = part.indexOf('=');
                    settings.put(part.substring(0, eq < 0 ? part.length() : eq),
                            eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
                } else {
                    kept.add(part);
                }
            }
            String rest = stripSemicolonSettings(kept.toString(), settings);
            if (!rest.isEmpty()) {
                real = real + '?' + rest;
            }
        }
        return new RealUrl(real, settings);
    }

    private static String stripSemicolonSettings(String text, Map<String, String> settings) {
        if (text.indexOf(';') < 0) {
            return text;
        }
        String[] parts = text.split(";", -1);
        StringBuilder kept = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            if (isSetting(parts[i])) {
                int eq = parts[i].indexOf('=');
                settings.put(parts[i].substring(0, eq < 0 ? parts[i].length() : eq),
                        eq < 0 ? "" : parts[i].substring(eq + 1));
            } else {
                kept.append(';').append(parts[i]);
            }
        }
        return kept.toString();
    }

    private static boolean isSetting(String part) {
        return part.toLowerCase(Locale.ROOT).startsWith("sqlcache.");
    }

    /** Hides anything after {@code password=} and user info, for messages about a URL that may hold secrets. */
    static String mask(String url) {
        return url.replaceAll("(?i)(password|passwd|pwd)=[^&;]*", "$1=***").replaceAll("//[^/@?;]*@", "//***@");
    }
}
