package dev.sqlcache.bench.throughput;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The targets of issues #10 and #13, built from the database URL, the pgpool-II URL and the Redis server. Each
 * sqlcache target keeps its entries in its own Redis logical database, so their statistics and keys never mix.
 */
final class Targets {
    static final String DIRECT = "direct";
    static final String PGPOOL = "pgpool";
    static final String SQLCACHE_REDIS = "sqlcache-redis";
    static final String SQLCACHE_NEAR = "sqlcache-near";
    static final String SQLCACHE_NEAR_STALE = "sqlcache-near-stale";
    static final List<String> ALL = List.of(DIRECT, PGPOOL, SQLCACHE_REDIS, SQLCACHE_NEAR, SQLCACHE_NEAR_STALE);

    /** Bounded staleness only makes a difference where the opted-in table is written. */
    static final Set<String> STALE_WORKLOADS = Set.of("join-agg-5w");

    private Targets() {
    }

    /**
     * @param databaseUrl   the real PostgreSQL (or H2) URL, without a schema
     * @param login         user and password properties for every connection
     * @param pgpoolUrl     pgpool-II in front of the same database, or null
     * @param pgpoolMissing why there is no pgpool-II, when {@code pgpoolUrl} is null
     * @param redis         host and port of the Redis the sqlcache targets use ({@code db} is ignored)
     * @param redisOnly     extra settings of the Redis-only target (its near cache stays off unless one of them
     *                      turns it on)
     * @param near          extra settings of the near-cache target
     * @param stale         extra settings of the bounded-staleness target, on top of {@code near}
     * @param names         which targets, in the order rounds alternate; {@link #DIRECT} must be among them
     */
    static List<TargetSpec> standard(String databaseUrl, Map<String, String> login, String pgpoolUrl,
                                     String pgpoolMissing, TargetSpec.RedisEndpoint redis,
                                     Map<String, String> redisOnly, Map<String, String> near,
                                     Map<String, String> stale, List<String> names) {
        if (!names.contains(DIRECT)) {
            throw new IllegalArgumentException("the targets must include '" + DIRECT + "': every ratio is to it");
        }
        String sqlcacheUrl = "jdbc:sqlcache:" + databaseUrl.substring("jdbc:".length());
        List<TargetSpec> targets = new ArrayList<>();
        for (String name : names) {
            switch (name) {
                case DIRECT -> targets.add(new TargetSpec(DIRECT, "the real driver, straight to the database",
                        databaseUrl, null, login, null, false, null, Set.of()));
                case PGPOOL -> targets.add(new TargetSpec(PGPOOL, "pgpool-II in raw mode with its in-memory query"
                        + " cache (shmem, auto invalidation) in front of the same database"
                        + (pgpoolUrl != null && pgpoolUrl.contains("preferQueryMode=simple")
                        ? "; pgjdbc with preferQueryMode=simple (pgpool issue #172: extended-protocol"
                        + " auto-commit writes leave a transaction open)" : ""),
                        // Loaded behind pgpool's back, before it first sees the tables: a DDL statement through
                        // pgpool that names a table not yet created (the loader's "drop table if exists") makes its
                        // shared relation cache remember the table as missing, and from then on it caches the
                        // table's SELECTs under no table at all, so no write ever invalidates them.
                        pgpoolUrl == null ? databaseUrl : pgpoolUrl, databaseUrl, login, null, true,
                        pgpoolUrl == null ? pgpoolMissing : null, Set.of()));
                case SQLCACHE_REDIS -> {
                    Map<String, String> settings = new LinkedHashMap<>();
                    settings.put("sqlcache.nearCache.maxBytes", "0");
                    settings.putAll(redisOnly);
                    targets.add(sqlcache(SQLCACHE_REDIS, "sqlcache, Redis only"
                            + (redisOnly.isEmpty() ? "" : " " + redisOnly), sqlcacheUrl, login, redis, 0, settings,
                            Set.of(), null));
                }
                case SQLCACHE_NEAR -> targets.add(sqlcache(SQLCACHE_NEAR, "sqlcache with the near cache "
                        + near, sqlcacheUrl, login, redis, 1, near, Set.of(), null));
                case SQLCACHE_NEAR_STALE -> {
                    Map<String, String> settings = new LinkedHashMap<>(near);
                    settings.putAll(stale);
                    // A table may be served stale only after other members' writes, never after its own JVM's:
                    // the writes come from a second runtime (no near cache), as from another JVM.
                    targets.add(sqlcache(SQLCACHE_NEAR_STALE, "sqlcache with the near cache and bounded staleness "
                            + settings + "; writes through a second sqlcache runtime without a near cache (another"
                            + " member, as another JVM would be)", sqlcacheUrl, login, redis, 2, settings,
                            STALE_WORKLOADS, Map.of("sqlcache.nearCache.maxBytes", "0")));
                }
                default -> throw new IllegalArgumentException("unknown target '" + name + "'; known: " + ALL);
            }
        }
        return targets;
    }

    private static TargetSpec sqlcache(String name, String description, String url, Map<String, String> login,
                                       TargetSpec.RedisEndpoint redis, int db, Map<String, String> settings,
                                       Set<String> workloads, Map<String, String> writer) {
        Map<String, String> properties = new LinkedHashMap<>(login);
        properties.put("sqlcache.store", "redis");
        properties.put("sqlcache.redis.host", redis.host());
        properties.put("sqlcache.redis.port", Integer.toString(redis.port()));
        properties.put("sqlcache.redis.db", Integer.toString(db));
        properties.putAll(settings);
        return new TargetSpec(name, description, url, null, properties,
                new TargetSpec.RedisEndpoint(redis.host(), redis.port(), db), false, null, workloads, writer);
    }
}
