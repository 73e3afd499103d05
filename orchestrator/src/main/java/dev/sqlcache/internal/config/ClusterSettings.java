package dev.sqlcache.internal.config;

import java.util.List;

/**
 * How to reach a Redis Cluster: the seed nodes asked for the slot map (any reachable one will do; the rest of the
 * cluster is learnt from it). The data nodes' credentials, TLS and timeouts are the ordinary Redis settings.
 *
 * @param nodes the seed nodes, in the order given (at least one)
 */
public record ClusterSettings(List<SentinelSettings.Node> nodes) {

    public ClusterSettings {
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("at least one cluster node");
        }
    }

    /** For logs: {@code 10.0.0.1:7000,10.0.0.2:7000}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(nodes.get(i).describe());
        }
        return sb.toString();
    }

    /** Written out, not generated: see {@link RedisSettings#equals}. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ClusterSettings that && nodes.equals(that.nodes);
    }

    @Override
    public int hashCode() {
        return nodes.hashCode();
    }

    @Override
    public String toString() {
        return "ClusterSettings[" + describe() + "]";
    }
}
