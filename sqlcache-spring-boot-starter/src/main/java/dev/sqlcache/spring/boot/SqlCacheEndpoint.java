package dev.sqlcache.spring.boot;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /actuator/sqlcache}: what the cache did since start: counters, bypasses and rejected results by reason,
 * mean latency by outcome, and hits, misses, bypasses and invalidations by table.
 */
@Endpoint(id = "sqlcache")
public class SqlCacheEndpoint {

    private final SqlCacheStatisticsSource source;

    SqlCacheEndpoint(SqlCacheStatisticsSource source) {
        this.source = source;
    }

    @ReadOperation
    public Map<String, Object> statistics() {
        CacheStatistics s = source.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("store", source.store());
        body.put("healthy", source.healthy());
        body.put("hits", s.hits());
        body.put("misses", s.misses());
        body.put("hitRatio", s.hitRatio());
        body.put("stores", s.stores());
        body.put("invalidations", s.invalidations());
        body.put("redisErrors", s.redisErrors());
        Map<String, Long> bypasses = new LinkedHashMap<>();
        for (BypassReason reason : BypassReason.values()) {
            long count = s.bypasses(reason);
            if (count != 0) {
                bypasses.put(reason.name().toLowerCase(Locale.ROOT), count);
            }
        }
        body.put("bypasses", bypasses);
        Map<String, Long> rejected = new LinkedHashMap<>();
        s.rejected().forEach((reason, count) -> rejected.put(reason.name().toLowerCase(Locale.ROOT), count));
        body.put("rejected", rejected);
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("hitMeanMicros", s.hitLatency().meanNanos() / 1_000);
        latency.put("missMeanMicros", s.missLatency().meanNanos() / 1_000);
        latency.put("bypassMeanMicros", s.bypassLatency().meanNanos() / 1_000);
        body.put("latency", latency);
        body.put("tables", s.tables());
        return body;
    }
}
