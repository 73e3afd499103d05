package dev.sqlcache.bench.throughput;

import java.util.Map;
import java.util.Set;

/**
 * One thing the workloads run against, described by a JDBC URL and connection properties, so that direct
 * PostgreSQL, pgpool-II and sqlcache with any settings are measured by the same code.
 *
 * @param name        short name used in reports, e.g. {@code sqlcache-redis}
 * @param description what it is, for the report
 * @param url         JDBC URL without a schema; the harness adds each target's own schema
 * @param loadUrl     where its tables are created and filled, when not through {@code url}
 * @param properties  connection properties, {@code sqlcache.*} settings included
 * @param redis       the Redis whose {@code INFO commandstats} to count, or null
 * @param pgpool      whether {@code url} reaches pgpool-II, whose {@code SHOW POOL_CACHE} is then counted
 * @param unavailable why it cannot run at all (e.g. pgpool not started), or null
 * @param workloads   the only workloads it runs, or empty for every workload
 * @param writer      settings on top of {@code properties} for a second connection per thread that runs the
 *                    workload's writes, or null to write on the reading connection. sqlcache settings that differ
 *                    give that connection a runtime of its own: another member sharing the Redis, as another JVM
 *                    would be, whose writes the reading runtime learns of only through Redis.
 */
record TargetSpec(String name, String description, String url, String loadUrl, Map<String, String> properties,
                  RedisEndpoint redis, boolean pgpool, String unavailable, Set<String> workloads,
                  Map<String, String> writer) {

    TargetSpec {
        loadUrl = loadUrl == null ? url : loadUrl;
        properties = Map.copyOf(properties);
        workloads = Set.copyOf(workloads);
        writer = writer == null ? null : Map.copyOf(writer);
    }

    TargetSpec(String name, String description, String url, String loadUrl, Map<String, String> properties,
               RedisEndpoint redis, boolean pgpool, String unavailable, Set<String> workloads) {
        this(name, description, url, loadUrl, properties, redis, pgpool, unavailable, workloads, null);
    }

    boolean runs(Workload workload) {
        return workloads.isEmpty() || workloads.contains(workload.name());
    }

    boolean isSqlcache() {
        return url.startsWith("jdbc:sqlcache:");
    }

    /** The schema that holds this target's copy of the data: no target ever reads another's writes. */
    String schema(String prefix) {
        return prefix + name.replace('-', '_');
    }

    /** A Redis server, and the logical database a target keeps its entries in. */
    record RedisEndpoint(String host, int port, int db) {
    }
}
