package dev.sqlcache.internal.admin;

import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.internal.store.CacheStore;
import redis.clients.jedis.Jedis;

import dev.sqlcache.internal.config.RedisSettings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * {@code stats}: what sqlcache keeps in Redis, per table. SCAN (never KEYS, which blocks the server) over
 * {@code sql:*}, with the value sizes fetched by one pipelined STRLEN per page.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Count the entries (and their bytes) per table, the version keys and the databases seen, "
                + "by SCAN over sql:*.")
final class StatsCommand extends AdminCommand {

    static final int SCAN_COUNT = 1000;

    @Option(names = "--limit", paramLabel = "KEYS", defaultValue = "1000000",
            description = "stop after this many keys (default: ${DEFAULT-VALUE})")
    long limit;

    /** Per table (the table part of the key): entries, their bytes, version keys. */
    static final class TableRow {
        long entries;
        long bytes;
        long versionKeys;
    }

    @Override
    int run(PrintWriter out, PrintWriter err) throws AdminException {
        if (limit < 1) {
            throw AdminException.usage("--limit must be at least 1, not " + limit);
        }
        RedisSettings settings = adminSettings(config());
        Map<String, TableRow> tables = new TreeMap<>();
        Map<String, Set<String>> databases = new TreeMap<>(); // hash -> tables with a version key
        Set<String> databaseWide = new TreeSet<>();
        long scanned = 0;
        long entries = 0;
        long bytes = 0;
        long versionKeys = 0;
        long others = 0;
        boolean complete = true;
        String membership;
        String where;
        try (RedisAdminConnection redis = new RedisAdminConnection(settings)) {
            // On a cluster, every master: entries are spread over all of them, the other keys are on one. The
            // plain pattern finds both forms there (the control slot's sql:{sqlcache}..., entries' sql:...{hash}).
            ScanParams params = new ScanParams().match(SqlCacheKeys.PREFIX + "*").count(SCAN_COUNT);
            List<Jedis> nodes = redis.nodes();
            for (int n = 0; n < nodes.size(); n++) {
                Jedis node = nodes.get(n);
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    String from = cursor;
                    ScanResult<String> page = redis.call("SCAN", () -> node.scan(from, params));
                    List<String> keys = new ArrayList<>(page.getResult().size());
                    List<String> storedKeys = new ArrayList<>(page.getResult().size());
                    for (String stored : page.getResult()) {
                        String key = redis.logical(stored);
                        // Membership is reported on its own line below, not as cached data; nor is the near
                        // members' set (it outlives the last holder, lapsed, so that writers can tell "nobody"
                        // from "lost").
                        if (!key.equals(MembershipStore.MEMBERS_KEY) && !key.equals(MembershipStore.FENCE_KEY)
                                && !key.equals(MembershipStore.REGISTRATIONS_KEY)
                                && !key.equals(dev.sqlcache.internal.store.NearChannel.MEMBERS_KEY)) {
                            keys.add(key);
                            storedKeys.add(stored);
                        }
                    }
                    if (scanned + keys.size() > limit) {
                        keys = keys.subList(0, (int) (limit - scanned));
                        complete = false;
                    }
                    List<String> dataKeys = new ArrayList<>();
                    List<String> storedDataKeys = new ArrayList<>();
                    for (int k = 0; k < keys.size(); k++) {
                        String key = keys.get(k);
                        SqlCacheKeys.Parsed parsed = SqlCacheKeys.parse(key);
                        switch (parsed.kind()) {
                            case ENTRY -> {
                                dataKeys.add(key);
                                storedDataKeys.add(storedKeys.get(k));
                            }
                            case TABLE_VERSION -> {
                                versionKeys++;
                                tables.computeIfAbsent(parsed.table(), t -> new TableRow()).versionKeys++;
                                databases.computeIfAbsent(parsed.hash(), h -> new TreeSet<>()).add(parsed.table());
                            }
                            case DATABASE_VERSION -> {
                                versionKeys++;
                                databaseWide.add(parsed.hash());
                                databases.computeIfAbsent(parsed.hash(), h -> new TreeSet<>());
                            }
                            case OTHER -> others++;
                        }
                    }
                    List<Long> sizes = strlen(redis, node, storedDataKeys);
                    for (int i = 0; i < dataKeys.size(); i++) {
                        TableRow row = tables.computeIfAbsent(SqlCacheKeys.parse(dataKeys.get(i)).table(),
                                t -> new TableRow());
                        row.entries++;
                        row.bytes += sizes.get(i);
                        entries++;
                        bytes += sizes.get(i);
                    }
                    scanned += keys.size();
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START) && scanned < limit);
                complete &= cursor.equals(ScanParams.SCAN_POINTER_START);
                if (scanned >= limit) {
                    // Masters left unscanned (review rC): the counts say nothing of their entries.
                    complete &= n == nodes.size() - 1;
                    break;
                }
            }
            membership = membership(redis);
            where = redis.node();
        }

        out.println("redis " + settings.describe() + where + ": " + scanned + " keys matching sql:*"
                + (complete ? "" : " (stopped at --limit " + limit + "; the counts below are partial)"));
        int width = Math.max("table".length(), tables.keySet().stream().mapToInt(String::length).max().orElse(0));
        String format = "%-" + width + "s %10s %14s %13s%n";
        out.printf(Locale.ROOT, format, "table", "entries", "bytes", "version keys");
        tables.forEach((table, row) -> out.printf(Locale.ROOT, format, table, row.entries, row.bytes,
                row.versionKeys));
        out.printf(Locale.ROOT, format, "total", entries, bytes, versionKeys - databaseWide.size());
        out.println("entries: " + entries + " (" + human(bytes) + ")");
        out.println("version keys: " + versionKeys + " (" + databaseWide.size() + " database-wide)");
        out.println("databases seen: " + databases.size());
        databases.forEach((hash, withTables) -> out.println("  " + hash + ": " + withTables.size()
                + " table version keys" + (databaseWide.contains(hash) ? ", database-wide key" : "")));
        if (others > 0) {
            out.println("other sql:* keys (not sqlcache's layout): " + others);
        }
        out.println(membership);
        return 0;
    }

    /** How many JVMs share this Redis, how many stopped renewing, and whether the fence lets them cache. */
    private static String membership(RedisAdminConnection redis) throws AdminException {
        List<String> time = redis.with("TIME", Jedis::time);
        long now = Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
        // The set's epoch is scored +inf: it is not a member.
        String membersKey = redis.key(MembershipStore.MEMBERS_KEY);
        long members = redis.with("ZCOUNT", j -> j.zcount(membersKey, "-inf", "(+inf"));
        long lapsed = redis.with("ZCOUNT", j -> j.zcount(membersKey, Double.NEGATIVE_INFINITY, now));
        boolean fence = redis.with("EXISTS", j -> j.exists(redis.key(MembershipStore.FENCE_KEY)));
        // Plain words for the operator: the fence token existing is the healthy state (every member renewing,
        // caching allowed); "fence: up" read like an alarm.
        return "members: " + members + " JVMs (" + lapsed + " lapsed); caching: "
                + (fence ? "allowed (every member is renewing)" : members == 0 ? "not started (no JVM has joined yet)"
                : "stopped: no JVM uses the cache until the lapsed members join again or sqlcache.fenceTimeout "
                + "passes");
    }

    /** One pipelined STRLEN per key (named as stored on {@code node}); 0 for a key that vanished or is not a string. */
    private static List<Long> strlen(RedisAdminConnection redis, Jedis node, List<String> storedKeys)
            throws AdminException {
        if (storedKeys.isEmpty()) {
            return List.of();
        }
        return redis.call("STRLEN", () -> {
            List<Response<Long>> responses = new ArrayList<>(storedKeys.size());
            Pipeline pipeline = node.pipelined();
            for (String key : storedKeys) {
                responses.add(pipeline.strlen(key));
            }
            pipeline.sync();
            List<Long> sizes = new ArrayList<>(storedKeys.size());
            for (Response<Long> response : responses) {
                long size;
                try {
                    size = response.get();
                } catch (RuntimeException wrongType) {
                    size = 0;
                }
                sizes.add(size);
            }
            return sizes;
        });
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
