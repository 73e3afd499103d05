package dev.sqlcache.internal.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A {@code jdbc:sqlcache:} URL taken apart: the real driver's URL, and the {@code sqlcache.*} settings it carried
 * as query parameters ({@code ?sqlcache.ttl=60&...}) or as semicolon settings ({@code ;sqlcache.ttl=60}, the H2
 * style). The settings are removed so that the real driver never sees them.
 *
 * @param realUrl  the real driver's URL
 * @param settings sqlcache settings found in the URL, in order
 */
public record SqlCacheUrl(String realUrl, Map<String, String> settings) {

    /** The prefix that selects sqlcache in front of a real JDBC URL. */
    public static final String PREFIX = "jdbc:sqlcache:";

    /** Whether a URL starts with {@link #PREFIX} (in any case). */
    public static boolean accepts(String url) {
        return url != null && url.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    /** Takes apart a URL that {@link #accepts}. */
    public static SqlCacheUrl parse(String url) {
        // Strip the prefix once: "jdbc:sqlcache:postgresql://..." -> "jdbc:postgresql://...".
        String real = "jdbc:" + url.substring(PREFIX.length());
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
        return new SqlCacheUrl(real, settings);
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
}
