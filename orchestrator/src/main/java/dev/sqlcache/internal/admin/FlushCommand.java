package dev.sqlcache.internal.admin;

import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.store.CacheStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * {@code flush}: deletes sqlcache's keys with SCAN and UNLINK ({@link CacheStore#deleteMatching}), to free memory.
 * Invalidation does not need it ({@code invalidate} is O(1) and reaches every JVM); deleting is always safe,
 * version keys included, since a version key that comes back gets a fresh random token.
 */
@Command(name = "flush", mixinStandardHelpOptions = true,
        description = "Delete sqlcache's keys: the entries keyed under one table, or every sql:* key. "
                + "Without --yes only counts them.")
final class FlushCommand extends AdminCommand {

    @Option(names = "--table", paramLabel = "TABLE",
            description = "delete only the entries keyed under this table, i.e. queries whose first table (in "
                    + "sorted order) it is; an unqualified name also matches it in any schema")
    String table;

    @Option(names = "--yes", description = "really delete")
    boolean yes;

    @Override
    int run(PrintWriter out, PrintWriter err) throws AdminException {
        List<String> patterns = patterns();
        RedisSettings settings = adminSettings(config());
        if (!yes) {
            long count = 0;
            try (RedisAdminConnection redis = new RedisAdminConnection(settings)) {
                for (String pattern : patterns) {
                    count += count(redis, pattern);
                }
            }
            err.println("sqlcache-admin flush: would delete " + count + " keys matching "
                    + String.join(" and ", patterns) + " on redis " + settings.describe()
                    + "; run again with --yes to delete them");
            return AdminException.USAGE;
        }
        long deleted = 0;
        try (CacheStore store = openStore(settings)) {
            if (table == null && store.nearChannel() != null) {
                // A flush starts every JVM cold, their near caches too (each has acknowledged it when this returns).
                try (var flusher = new dev.sqlcache.internal.near.NearMember(store.nearChannel(), null,
                        dev.sqlcache.internal.time.Clock.SYSTEM)) {
                    flusher.clearEverywhere();
                }
            }
            for (String pattern : patterns) {
                deleted += store.deleteMatching(pattern);
            }
        }
        out.println("deleted " + deleted + " keys matching " + String.join(" and ", patterns) + " on redis "
                + settings.describe());
        if (table != null) {
            out.println("note: entries of other queries reading " + SqlCacheKeys.tableAsWritten(table)
                    + " are kept under their first table; invalidate --table makes all of them stale");
        }
        return 0;
    }

    List<String> patterns() throws AdminException {
        if (table == null) {
            return List.of(SqlCacheKeys.PREFIX + "*");
        }
        String name = SqlCacheKeys.tableAsWritten(table);
        if (name.isEmpty()) {
            throw AdminException.usage("--table: \"" + table + "\" is not a table name");
        }
        List<String> patterns = new ArrayList<>();
        String literal = SqlCacheKeys.globLiteral(name);
        patterns.add(SqlCacheKeys.PREFIX + literal + ":data:*");
        if (name.indexOf('.') < 0) {
            patterns.add(SqlCacheKeys.PREFIX + "*." + literal + ":data:*");
        }
        return patterns;
    }

    /** On every node that holds sqlcache's keys (every master of a cluster), by each stored form of the pattern. */
    private static long count(RedisAdminConnection redis, String pattern) throws AdminException {
        java.util.regex.Pattern logical = dev.sqlcache.internal.store.GlobPattern.compile(pattern);
        List<String> stored = redis.patterns(pattern);
        long count = 0;
        for (redis.clients.jedis.Jedis node : redis.nodes()) {
            for (int p = 0; p < stored.size(); p++) {
                ScanParams params = new ScanParams().match(stored.get(p)).count(StatsCommand.SCAN_COUNT);
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    String from = cursor;
                    ScanResult<String> page = redis.call("SCAN", () -> node.scan(from, params));
                    for (String key : page.getResult()) {
                        count += redis.counts(p, key, logical) ? 1 : 0;
                    }
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            }
        }
        return count;
    }
}
