package dev.sqlcache.bench.throughput;

import redis.clients.jedis.RedisClient;

import java.util.Map;
import java.util.TreeMap;

/**
 * Calls per command name from a Redis server's {@code INFO commandstats}, so that the harness can say how many
 * round trips (and which scripts) an operation cost. Counts are server-wide: rounds never overlap, so a delta over
 * one round is that round's, plus the few background renewals of idle sqlcache stores (a script every 500 ms each).
 */
final class RedisCommandStats implements AutoCloseable {
    private final RedisClient client;

    RedisCommandStats(TargetSpec.RedisEndpoint endpoint) {
        client = RedisClient.create(endpoint.host(), endpoint.port());
    }

    Map<String, Long> read() {
        return parse(client.info("commandstats"));
    }

    /** {@code cmdstat_mget:calls=12,usec=...} lines into {@code mget -> 12}; the harness's own INFO is left out. */
    static Map<String, Long> parse(String info) {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : info.split("\\R")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            String command = line.substring("cmdstat_".length(), line.indexOf(':'));
            if (command.equals("info")) {
                continue;
            }
            int from = line.indexOf("calls=") + "calls=".length();
            calls.put(command, Long.parseLong(line.substring(from, line.indexOf(',', from))));
        }
        return calls;
    }

    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((command, count) -> {
            long d = count - before.getOrDefault(command, 0L);
            if (d != 0) {
                delta.put(command, d);
            }
        });
        return delta;
    }

    @Override
    public void close() {
        client.close();
    }
}
