package dev.sqlcache.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisTcpCacheStoreTest extends RedisCacheStoreContractTest {

    @BeforeAll
    static void start() {
        open(RedisTransport.TCP);
    }

    @Test
    void describesTheTcpAddress() {
        assertEquals("redis 127.0.0.1:" + server.port() + " db 0", store.describe());
    }
}
