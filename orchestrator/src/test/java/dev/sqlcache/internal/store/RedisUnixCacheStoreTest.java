package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisUnixCacheStoreTest extends RedisCacheStoreContractTest {

    @BeforeAll
    static void start() {
        open(RedisTransport.UNIX);
    }

    @Test
    void describesTheSocket() {
        assertEquals("redis unix:" + server.socketPath() + " db 0", store.describe());
    }
}
