package dev.sqlcache.internal.feed;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlotNameTest {

    @Test
    void oneSlotPerDatabaseAndDeploymentWithinPostgresRules() {
        String name = SlotName.of("shop", "postgres://db/shop", "redis 10.0.0.1:6379 db 0");
        assertEquals(name, SlotName.of("shop", "postgres://db/shop", "redis 10.0.0.1:6379 db 0"));
        assertNotEquals(name, SlotName.of("shop", "postgres://db/shop", "redis 10.0.0.2:6379 db 0"));
        assertNotEquals(name, SlotName.of("shop", "postgres://db/shop", "redis 10.0.0.1:6379 db 1"));
        assertNotEquals(name, SlotName.of("shop", "postgres://other/shop", "redis 10.0.0.1:6379 db 0"));
        String odd = SlotName.of("Très-Long Database Name ".repeat(5), "x", "y");
        assertTrue(odd.matches("sqlcache_[a-z0-9_]+") && odd.length() <= 63, odd);
    }
}
