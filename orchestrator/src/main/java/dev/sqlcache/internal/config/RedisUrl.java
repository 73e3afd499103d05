package dev.sqlcache.internal.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Splits a Redis URL into the specific settings it stands for, so that a URL and specific settings can be layered
 * the same way. Forms: {@code redis://[[user]:password@]host[:port][/db]}, {@code rediss://...} (TLS) and
 * {@code unix:///path/to/redis.sock[?db=N]}. A URL always states host, port, database and TLS (with the usual
 * defaults); user and password only when present, so a password given separately is kept.
 */
final class RedisUrl {

    /** Up to the last '@': a password with an unencoded '/' or '@' must still be hidden completely. */
    private static final Pattern USER_INFO = Pattern.compile("//.*@");

    private RedisUrl() {
    }

    /** The URL with any user information replaced by {@code ***}, safe for messages and logs. */
    static String mask(String url) {
        return USER_INFO.matcher(url).replaceFirst("//***@");
    }

    /**
     * @throws ValueParsers.BadValue with a reason that never contains the password
     */
    static Map<Setting, String> parse(String url) throws ValueParsers.BadValue {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new ValueParsers.BadValue(url.contains("@")
                    ? "is not a valid URL (special characters in a user or password must be percent-encoded)"
                    : "is not a valid URL (redis://host:port/db)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        Map<Setting, String> out = new EnumMap<>(Setting.class);
        switch (scheme) {
            case "redis", "rediss" -> parseTcp(uri, scheme.equals("rediss"), out);
            case "unix" -> parseUnix(uri, out);
            default -> throw new ValueParsers.BadValue("is not a Redis URL (redis://, rediss:// or unix://)");
        }
        parseUserInfo(uri, out);
        return out;
    }

    private static void parseTcp(URI uri, boolean ssl, Map<Setting, String> out) throws ValueParsers.BadValue {
        String host = uri.getHost();
        if ((host == null || host.isEmpty()) && (uri.getRawAuthority() != null || uri.getRawFragment() != null)) {
            // java.net.URI gives up on the host when a user or password holds '#', '/', '@' and the like.
            throw new ValueParsers.BadValue("has an address that cannot be parsed (special characters in a user "
                    + "or password must be percent-encoded)");
        }
        if (host == null || host.isEmpty()) {
            throw new ValueParsers.BadValue("has no host (redis://host:port/db)");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (uri.getQuery() != null) {
            throw new ValueParsers.BadValue("has a query string; use the specific sqlcache.redis.* settings instead");
        }
        out.put(Setting.REDIS_HOST, host);
        out.put(Setting.REDIS_PORT, uri.getPort() == -1 ? "6379" : Integer.toString(uri.getPort()));
        out.put(Setting.REDIS_SSL, Boolean.toString(ssl));
        String path = uri.getPath() == null ? "" : uri.getPath();
        String db = path.isEmpty() || path.equals("/") ? "0" : path.substring(1);
        try {
            ValueParsers.parseInt(db, 0, Integer.MAX_VALUE, "a database number");
        } catch (ValueParsers.BadValue e) {
            throw new ValueParsers.BadValue("has a database \"" + db + "\" that is not a database number");
        }
        out.put(Setting.REDIS_DB, db);
        // A URL names a TCP address: it replaces any socket path from a lower layer.
        out.put(Setting.REDIS_SOCKET_PATH, "");
    }

    private static void parseUnix(URI uri, Map<Setting, String> out) throws ValueParsers.BadValue {
        String path = uri.getPath();
        if (path == null || path.isEmpty()) {
            throw new ValueParsers.BadValue("has no socket path (unix:///path/to/redis.sock)");
        }
        out.put(Setting.REDIS_SOCKET_PATH, path);
        out.put(Setting.REDIS_SSL, "false");
        String db = "0";
        if (uri.getQuery() != null) {
            for (String pair : uri.getQuery().split("&")) {
                if (pair.startsWith("db=")) {
                    db = pair.substring(3);
                } else {
                    throw new ValueParsers.BadValue("has an unsupported query parameter (only db=N)");
                }
            }
        }
        try {
            ValueParsers.parseInt(db, 0, Integer.MAX_VALUE, "a database number");
        } catch (ValueParsers.BadValue e) {
            throw new ValueParsers.BadValue("has a database \"" + db + "\" that is not a database number");
        }
        out.put(Setting.REDIS_DB, db);
    }

    private static void parseUserInfo(URI uri, Map<Setting, String> out) throws ValueParsers.BadValue {
        String userInfo = uri.getUserInfo();
        if (userInfo == null) {
            return;
        }
        int colon = userInfo.indexOf(':');
        if (colon < 0) {
            // Clients disagree on whether "x@host" is a user or a password; refuse rather than guess (and leak).
            throw new ValueParsers.BadValue("has user information without a colon; write redis://:password@host "
                    + "or redis://user:password@host");
        }
        String user = userInfo.substring(0, colon);
        String password = userInfo.substring(colon + 1);
        if (!user.isEmpty()) {
            out.put(Setting.REDIS_USERNAME, user);
        }
        if (!password.isEmpty()) {
            out.put(Setting.REDIS_PASSWORD, password);
        }
    }
}
