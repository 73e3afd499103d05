package dev.sqlcache.sample;

import java.util.Map;

/**
 * Where the cached run keeps its entries, the driver settings that say so, and why it was chosen. Closing it stops
 * a private redis-server if the choice started one.
 *
 * @param kind        what kind of store it is
 * @param description one line for the report, e.g. {@code redis-server started on 127.0.0.1:41234 (...)}
 * @param settings    {@code sqlcache.*} connection properties selecting this store
 * @param server      the private redis-server behind it, or {@code null}
 */
record StoreChoice(Kind kind, String description, Map<String, String> settings, RedisServerProcess server)
        implements AutoCloseable {

    enum Kind {
        /** A Redis that was already running: the environment's or the one on localhost:6379. */
        SHARED_REDIS,
        /** A redis-server this sample started and will stop. */
        PRIVATE_REDIS,
        /** The driver's in-process store: correct within this JVM only. */
        MEMORY
    }

    StoreChoice {
        settings = Map.copyOf(settings);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
