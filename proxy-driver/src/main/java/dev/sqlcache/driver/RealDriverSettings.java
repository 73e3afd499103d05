package dev.sqlcache.driver;

import dev.sqlcache.internal.analysis.DatabaseFamily;

import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;

/**
 * Settings the real driver must run with for a cached answer to be the answer it would give.
 *
 * <p>pgjdbc switches a statement to binary results once its SQL has run {@code prepareThreshold} times on the
 * connection (5 by default, plain statements included), and several getters then answer differently:
 * {@code getString} on float4/float8 ({@code 1} becomes {@code 1.0}), numeric ({@code 0.0000000001} becomes
 * {@code 1E-10}), timetz (shifted to UTC), bytea; {@code time '24:00'} becomes midnight. A cached result cannot
 * know which form the next execution would have had, so sqlcache asks pgjdbc for text results always
 * ({@code binaryTransfer=false}); server-side prepared statements are still used.
 */
final class RealDriverSettings {

    static final String BINARY_TRANSFER = "binaryTransfer";

    private RealDriverSettings() {
    }

    /**
     * Adds what the real driver needs to the properties it will be given.
     *
     * @throws SQLException HY024 when the URL or properties ask for what sqlcache cannot serve faithfully
     */
    static void apply(String realUrl, Properties realInfo) throws SQLException {
        if (DatabaseFamily.fromJdbcUrl(realUrl) != DatabaseFamily.POSTGRES) {
            return;
        }
        String inUrl = urlParameter(realUrl, BINARY_TRANSFER);
        String requested = inUrl != null ? inUrl : realInfo.getProperty(BINARY_TRANSFER);
        if (requested != null && !requested.trim().equalsIgnoreCase("false")) {
            throw new SQLException("sqlcache: " + BINARY_TRANSFER + "=" + requested + " is not supported: with "
                    + "binary results pgjdbc answers some getters differently once a statement has run "
                    + "prepareThreshold times, which a cached result cannot reproduce; remove the setting "
                    + "(sqlcache sets " + BINARY_TRANSFER + "=false)", "HY024");
        }
        if (inUrl == null) {
            realInfo.setProperty(BINARY_TRANSFER, "false");
        }
    }

    /** A query parameter of a JDBC URL, as pgjdbc reads it (URL parameters win over properties). */
    private static String urlParameter(String url, String name) {
        int query = url.indexOf('?');
        if (query < 0) {
            return null;
        }
        for (String pair : url.substring(query + 1).split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1),
                        java.nio.charset.StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }
}
