package dev.sqlcache.internal.engine;

import java.util.Locale;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Names the database a connection reaches, for keys and version tokens: the real JDBC URL without credentials and
 * without sqlcache's own settings. Two connections share cached entries and invalidations exactly when their
 * identities are equal.
 *
 * <p>Embedded databases get a nonce, because the same URL names a different database in another JVM (H2
 * {@code mem:} and file databases) or even on another connection (an unnamed {@code jdbc:h2:mem:}).
 * The {@code sqlcache.databaseId} setting overrides all of this, for two URLs that reach one database.
 */
public final class DatabaseIdentity {

    private static final String JVM_NONCE = UUID.randomUUID().toString();
    private static final Pattern CREDENTIAL_PARAM = Pattern.compile(
            "(?i)(user|username|password|passwd|pwd|sslpassword|sslkey|sslcert)(=.*)?");
    private static final Pattern USERINFO = Pattern.compile("^(jdbc:[^:]+:(?:[a-z+]+:)?//)[^@/?;]*@");

    private DatabaseIdentity() {
    }

    /**
     * The connection settings that may change what the real driver returns (time zone handling, how strings bind,
     * how TINYINT(1) reads...): the URL's parameters and the connection properties, credentials left out. They
     * are part of every entry key, so two pools with different settings never serve each other's results; they are
     * not part of the identity, so a write through either still invalidates both.
     */
    public static String connectionSettings(String realUrl, java.util.Map<String, String> properties) {
        String url = withoutCredentialParameters(USERINFO.matcher(realUrl).replaceFirst("$1"));
        StringBuilder settings = new StringBuilder(url);
        new java.util.TreeMap<>(properties).forEach((name, value) -> {
            if (!CREDENTIAL_PARAM.matcher(name).matches()) {
                settings.append('\n').append(name).append('=').append(value);
            }
        });
        return settings.toString();
    }

    /**
     * For drivers whose URL names the database before any parameter, the parameters are connection settings
     * (timeouts, TLS, fetch sizes: a data source reports dozens of them) and not part of which database it is. Two
     * paths to one database (a URL in one place, a DataSource in another) must meet on one identity, or a write
     * through one would never invalidate the other. Schema-like settings are covered by the key's schema part.
     */
    private static String withoutConnectionSettings(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:") || lower.startsWith("jdbc:mysql:") || lower.startsWith("jdbc:mariadb:")
                || lower.startsWith("jdbc:mysql+srv:")) {
            int q = url.indexOf('?');
            return q < 0 ? url : url.substring(0, q);
        }
        if (lower.startsWith("jdbc:h2:")) {
            int semicolon = url.indexOf(';');
            return semicolon < 0 ? url : url.substring(0, semicolon);
        }
        return url;
    }

    /** Drops {@code user=}, {@code password=} and similar from {@code ?a=b&c=d} and {@code ;A=B} parameter lists. */
    private static String withoutCredentialParameters(String url) {
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        String query = q < 0 ? null : url.substring(q + 1);
        StringBuilder out = new StringBuilder();
        String[] segments = base.split(";", -1);
        out.append(segments[0]);
        for (int i = 1; i < segments.length; i++) {
            if (!CREDENTIAL_PARAM.matcher(segments[i]).matches()) {
                out.append(';').append(segments[i]);
            }
        }
        if (query != null) {
            StringJoiner kept = new StringJoiner("&");
            for (String parameter : query.split("&")) {
                if (!parameter.isEmpty() && !CREDENTIAL_PARAM.matcher(parameter).matches()) {
                    kept.add(parameter);
                }
            }
            if (kept.length() > 0) {
                out.append('?').append(kept);
            }
        }
        return out.toString();
    }

    /**
     * The identity of the database behind {@code realUrl}.
     *
     * @param override the configured {@code sqlcache.databaseId}, or null
     */
    public static String of(String realUrl, String override) {
        if (override != null && !override.isBlank()) {
            return "id:" + override;
        }
        String url = USERINFO.matcher(realUrl).replaceFirst("$1");
        url = withoutCredentialParameters(url);
        url = withoutConnectionSettings(url);
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:h2:tcp:") && !lower.startsWith("jdbc:h2:ssl:")) {
            String rest = lower.substring("jdbc:h2:".length());
            if (rest.equals("mem:") || rest.startsWith("mem:;")) {
                // An unnamed in-memory database is private to one connection.
                return url + "#connection:" + UUID.randomUUID();
            }
            return url + "#jvm:" + JVM_NONCE;
        }
        if (lower.startsWith("jdbc:sqlite:") || lower.startsWith("jdbc:derby:") && !lower.startsWith("jdbc:derby://")
                || lower.startsWith("jdbc:hsqldb:mem:") || lower.startsWith("jdbc:hsqldb:file:")) {
            return url + "#jvm:" + JVM_NONCE;
        }
        return url;
    }
}
