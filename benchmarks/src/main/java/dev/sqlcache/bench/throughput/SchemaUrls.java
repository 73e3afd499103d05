package dev.sqlcache.bench.throughput;

/** Points a JDBC URL at one schema, in the syntax of the database behind it. */
final class SchemaUrls {
    private SchemaUrls() {
    }

    static String withSchema(String url, String schema) {
        if (url.contains(":h2:")) {
            return url + ";SCHEMA=" + schema;
        }
        if (url.contains(":postgresql:")) {
            return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        }
        throw new IllegalArgumentException("only H2 and PostgreSQL URLs are supported, not " + url);
    }

    static boolean isPostgres(String url) {
        return url.contains(":postgresql:");
    }
}
