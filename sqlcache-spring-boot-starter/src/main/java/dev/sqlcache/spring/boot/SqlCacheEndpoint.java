package dev.sqlcache.spring.boot;

import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.stats.CacheStatistics;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code /actuator/sqlcache}: what the cache did since start, bypasses by reason. */
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
        return body;
    }
}
