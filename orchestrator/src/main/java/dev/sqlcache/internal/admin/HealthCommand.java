package dev.sqlcache.internal.admin;

import dev.sqlcache.internal.config.RedisSettings;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code health}: is Redis reachable, how fast, which version, how full, and what its eviction policy means. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "PING Redis and show its version, memory and eviction policy; exit 1 when unreachable.")
final class HealthCommand extends AdminCommand {

    @Override
    int run(PrintWriter out, PrintWriter err) throws AdminException {
        RedisSettings settings = adminSettings(config());
        try (RedisAdminConnection redis = new RedisAdminConnection(settings)) {
            redis.with("PING", j -> j.ping()); // connects, authenticates, selects the database
            long start = System.nanoTime();
            String pong = redis.with("PING", j -> j.ping());
            double millis = (System.nanoTime() - start) / 1e6;
            out.printf(Locale.ROOT, "redis %s%s: %s in %.2f ms%n", settings.describe(), redis.node(), pong, millis);

            Map<String, String> info;
            try {
                info = parseInfo(redis.with("INFO", j -> j.info("server")) + "\n"
                        + redis.with("INFO", j -> j.info("memory")));
            } catch (AdminException e) {
                // INFO may be renamed or forbidden by ACLs; reachable is what this command promises.
                out.println("server information unavailable: " + e.getMessage());
                return 0;
            }
            out.println("version:          " + info.getOrDefault("redis_version", "unknown"));
            out.println("used memory:      " + info.getOrDefault("used_memory_human", "unknown")
                    + " (" + info.getOrDefault("used_memory", "?") + " bytes)");
            long maxmemory = parseLong(info.get("maxmemory"));
            out.println("maxmemory:        " + (maxmemory == 0 ? "0 (no limit)"
                    : info.getOrDefault("maxmemory_human", "?") + " (" + maxmemory + " bytes)"));
            String policy = info.getOrDefault("maxmemory_policy", "unknown");
            out.println("maxmemory-policy: " + policy);
            out.println("  " + explainPolicy(policy, maxmemory));
            return 0;
        }
    }

    /** What every evicting policy risks: a lease is a key with a time to live (docs/consistency.md, review rB). */
    private static final String EVICTED_LEASE = "A write's lease may be evicted while the write runs: its end still "
            + "invalidates, but a writer killed between its commit and its end leaves what was cached during the "
            + "write current; use noeviction for the whole guarantee. Writes to tables no JVM caches keep their "
            + "leases (no skip permit is granted where its lease could be evicted).";

    /** What the eviction policy means for sqlcache's entries (with TTL) and version keys (without). */
    static String explainPolicy(String policy, long maxmemory) {
        String limit = maxmemory == 0
                ? "No maxmemory: Redis grows until the machine runs out (entries still expire by their TTL); once "
                        + "maxmemory is set, this policy applies. "
                : "";
        String meaning;
        if (policy.equals("noeviction")) {
            meaning = "When maxmemory is reached Redis refuses writes: new entries are not stored, so queries go "
                    + "to the database until entries expire; a write's lease and its invalidation still get through "
                    + "(a few hundred bytes over the limit). The policy that keeps sqlcache's whole guarantee.";
        } else if (policy.startsWith("allkeys-")) {
            meaning = "Redis may evict any key, version keys (which have no TTL) included: a version key that "
                    + "comes back gets a fresh random token no old entry matches, but it drops every entry of that "
                    + "table at once. " + EVICTED_LEASE;
        } else if (policy.startsWith("volatile-")) {
            meaning = "Redis evicts only keys with a TTL: entries, write leases and row tokens (a token that "
                    + "comes back is fresh). " + EVICTED_LEASE;
        } else {
            meaning = "See the Redis documentation for this policy.";
        }
        return limit + meaning;
    }

    static Map<String, String> parseInfo(String info) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : info.split("\\R")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    private static long parseLong(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
