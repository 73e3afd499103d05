package dev.sqlcache.internal.admin;

import dev.sqlcache.internal.config.SqlCacheUrl;

import java.util.Map;

/**
 * The real JDBC URL behind what the user typed, and the {@code sqlcache.*} settings it carried. A
 * {@code jdbc:sqlcache:} URL loses its prefix once and its {@code ?sqlcache.x=..} and {@code ;sqlcache.x=..}
 * parameters, through the driver's own {@link SqlCacheUrl}; a real URL is taken as it is.
 *
 * @param realUrl  the URL the real driver sees, which names the database
 * @param settings sqlcache settings found in the URL
 */
record RealUrl(String realUrl, Map<String, String> settings) {

    static final String SQLCACHE_PREFIX = SqlCacheUrl.PREFIX;

    static RealUrl parse(String url) throws AdminException {
        String trimmed = url.strip();
        if (!trimmed.regionMatches(true, 0, "jdbc:", 0, "jdbc:".length())) {
            throw AdminException.usage("--url: \"" + mask(trimmed) + "\" is not a JDBC URL (jdbc:...)");
        }
        if (!trimmed.regionMatches(true, 0, SQLCACHE_PREFIX, 0, SQLCACHE_PREFIX.length())) {
            return new RealUrl(trimmed, Map.of());
        }
        if (trimmed.length() == SQLCACHE_PREFIX.length()) {
            throw AdminException.usage("--url: \"" + trimmed + "\" names no real driver");
        }
        SqlCacheUrl parsed = SqlCacheUrl.parse(trimmed);
        return new RealUrl(parsed.realUrl(), parsed.settings());
    }

    /** Hides anything after {@code password=} and user info, for messages about a URL that may hold secrets. */
    static String mask(String url) {
        return url.replaceAll("(?i)(password|passwd|pwd)=[^&;]*", "$1=***").replaceAll("//[^/@?;]*@", "//***@");
    }
}
