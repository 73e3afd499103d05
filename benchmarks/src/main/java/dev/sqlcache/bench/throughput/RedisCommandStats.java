package dev.sqlcache.bench.throughput;

import redis.clients.jedis.RedisClient;

import java.util.Map;
import java.util.TreeMap;

/**
 * Calls per command name from a Redis server's {@code INFO commandstats}, so that the harness can say how many
 * round trips (and which scripts) an operation cost, and the server's CPU time from {@code INFO cpu}. Counts are server-wide: rounds never overlap, so a delta over
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

    /** The server's CPU time so far (user + system, its children's left out), in microseconds. */
    long cpuMicros() {
        return parseCpuMicros(client.info("cpu"));
    }

    /**
     * {@code used_cpu_sys} plus {@code used_cpu_user} of {@code INFO cpu} (seconds with six decimals) in
     * microseconds; -1 when either is missing. The {@code _children} lines are the forks that write snapshots, not
     * the work the clients asked for.
     */
    static long parseCpuMicros(String info) {
        long sys = -1;
        long user = -1;
        for (String line : info.split("\\R")) {
            if (line.startsWith("used_cpu_sys:")) {
                sys = micros(line.substring("used_cpu_sys:".length()));
            } else if (line.startsWith("used_cpu_user:")) {
                user = micros(line.substring("used_cpu_user:".length()));
            }
        }
        return sys < 0 || user < 0 ? -1 : sys + user;
    }

    /** Seconds as Redis prints them ({@code 12.345678}) to microseconds, without a detour through double. */
    private static long micros(String seconds) {
        return new java.math.BigDecimal(seconds.trim()).movePointRight(6).longValue();
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
