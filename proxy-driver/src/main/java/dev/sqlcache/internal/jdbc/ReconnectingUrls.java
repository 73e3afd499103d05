package dev.sqlcache.internal.jdbc;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Tells, from a MariaDB/MySQL JDBC URL, whether the driver may open a new session behind a connection that lost its
 * own, so that the connection writes on without the user lock its first session took (review rM). Observed with
 * MariaDB Connector/J 4.0 in {@code sequential} and {@code loadbalance} mode: after the session was killed, the next
 * statement fails with "Driver has reconnect connection" and the one after it runs on a new session. MySQL
 * Connector/J does the same with {@code autoReconnect=true} and with its failover, load-balancing and replication
 * URLs. Anything but the plain one-host form counts as replacing: a wrong "no" could drop a live member, a wrong "yes"
 * only keeps a dead one until sqlcache.fenceTimeout. MySQL Connector/J also takes {@code autoReconnect} as a connection
 * property, which {@code DatabaseMetaData.getURL()} does not show: the properties the connection was opened with count
 * as the URL's own.
 */
final class ReconnectingUrls {

    private static final Pattern AUTO_RECONNECT = Pattern.compile("[?&;]autoreconnect(forpools)?=(true|yes)(&|;|$)");

    private ReconnectingUrls() {
    }

    /**
     * @param url        the URL the driver reports for the connection
     * @param properties the connection properties sqlcache handed the driver (none through a wrapped DataSource)
     */
    static boolean mayReplaceSession(String url, Map<String, String> properties) {
        for (Map.Entry<String, String> property : properties.entrySet()) {
            String name = property.getKey().toLowerCase(Locale.ROOT);
            if ((name.equals("autoreconnect") || name.equals("autoreconnectforpools"))
                    && isTrue(property.getValue())) {
                return true;
            }
        }
        return mayReplaceSession(url);
    }

    /** Connector/J's boolean properties: "true" and "yes", in any case. */
    private static boolean isTrue(String value) {
        return value != null && (value.trim().equalsIgnoreCase("true") || value.trim().equalsIgnoreCase("yes"));
    }

    static boolean mayReplaceSession(String url) {
        if (url == null) {
            return true;
        }
        String lower = url.toLowerCase(Locale.ROOT);
        String rest;
        if (lower.startsWith("jdbc:mariadb://")) {
            rest = lower.substring("jdbc:mariadb://".length());
        } else if (lower.startsWith("jdbc:mysql://")) {
            rest = lower.substring("jdbc:mysql://".length());
        } else {
            return true; // an HA mode (sequential:, loadbalance:, replication:, aurora:), mysql+srv:, or unknown
        }
        int end = rest.indexOf('/');
        String hosts = end < 0 ? rest : rest.substring(0, end);
        // A host list: MySQL Connector/J fails over within it; MariaDB Connector/J only at connect, but told apart
        // by nothing safer than its version.
        return hosts.indexOf(',') >= 0 || AUTO_RECONNECT.matcher(lower).find();
    }
}
