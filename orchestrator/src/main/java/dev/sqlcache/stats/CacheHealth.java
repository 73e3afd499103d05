package dev.sqlcache.stats;

/**
 * The cache's state as this JVM sees it, for health checks. Reading it costs one round trip to the store (a PING).
 *
 * @param store              where entries are kept, e.g. {@code redis 127.0.0.1:6379 db 0}; never a password
 * @param reachable          the store answered a PING just now
 * @param available          reads use the cache: the store is reachable, trusted (no back-off after a failure) and
 *                           no invalidation is owed to it
 * @param member             this JVM's membership was renewed within the last membership period: other JVMs know it
 *                           and it keeps the fence for them
 * @param members            JVMs sharing the store, as the last renewal saw them (this one included)
 * @param lapsedMembers      of those, how many stopped renewing without leaving: while any has, the fence is down and
 *                           no JVM serves from the cache (until it joins again or {@code sqlcache.fenceTimeout})
 * @param owedInvalidations  version keys whose invalidation this JVM could not deliver yet and keeps retrying
 */
public record CacheHealth(String store, boolean reachable, boolean available, boolean member, int members,
                          int lapsedMembers, int owedInvalidations) {

    /** Everything as it should be: available, a member, no lapsed member, nothing owed. */
    public boolean healthy() {
        return available && member && lapsedMembers == 0 && owedInvalidations == 0;
    }
}
