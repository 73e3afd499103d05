package dev.sqlcache.internal.config;

import java.util.List;
import java.util.Objects;

/**
 * How to find the Redis primary through Redis Sentinel: the sentinels to ask, the name of the primary they
 * monitor, and the credentials the sentinels themselves want (often none, or other than the data nodes').
 * {@link #toString()} and {@link #describe()} never show the password.
 *
 * @param nodes    the sentinels, in the order given (at least one)
 * @param master   the monitored primary's name ({@code sentinel monitor <name> ...})
 * @param user     the sentinels' ACL user, or {@code null}
 * @param password the sentinels' password, or {@code null}
 */
public record SentinelSettings(List<Node> nodes, String master, String user, String password) {

    /** One sentinel's address. */
    public record Node(String host, int port) {

        /** {@code host:port}, IPv6 hosts in brackets. */
        public String describe() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }

        /** Written out, not generated: see {@link RedisSettings#equals}. */
        @Override
        public boolean equals(Object other) {
            return other instanceof Node that && port == that.port && host.equals(that.host);
        }

        @Override
        public int hashCode() {
            return 31 * host.hashCode() + port;
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    public SentinelSettings {
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("at least one sentinel");
        }
        Objects.requireNonNull(master, "master");
    }

    /** For logs: {@code master mymaster via 10.0.0.1:26379,10.0.0.2:26379}, plus the sentinel user. Never the password. */
    public String describe() {
        StringBuilder sb = new StringBuilder("master ").append(master).append(" via ");
        for (int i = 0; i < nodes.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(nodes.get(i).describe());
        }
        if (user != null) {
            sb.append(" sentinel user ").append(user);
        }
        return sb.toString();
    }

    /** Written out, not generated: see {@link RedisSettings#equals}. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SentinelSettings that && nodes.equals(that.nodes) && master.equals(that.master)
                && Objects.equals(user, that.user) && Objects.equals(password, that.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodes, master, user, password);
    }

    @Override
    public String toString() {
        return "SentinelSettings[" + describe() + ", sentinel password=" + (password == null ? "none" : "***") + "]";
    }
}
