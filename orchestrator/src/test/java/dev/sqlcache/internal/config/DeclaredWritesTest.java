package dev.sqlcache.internal.config;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeclaredWritesTest {

    @Test
    void declaresTablesPerTriggerTableAndProcedure() throws Exception {
        SqlCacheConfig config = SqlCacheConfig.load(Map.of(), Map.of(
                "sqlcache.triggerWrites", "Orders=order_audit+Public.Totals, payments=",
                "sqlcache.procedureWrites", "app.refresh=totals"));
        assertEquals(Optional.of(Set.of("order_audit", "public.totals")), config.triggerWrites().tablesFor("orders"));
        assertEquals(Optional.of(Set.of("order_audit", "public.totals")), config.triggerWrites().tablesFor("shop.orders"),
                "a qualified name falls back to its basename");
        assertEquals(Optional.of(Set.of()), config.triggerWrites().tablesFor("payments"), "declared to write nothing");
        assertEquals(Optional.empty(), config.triggerWrites().tablesFor("other"));
        assertEquals(Optional.of(Set.of("totals")), config.procedureWrites().tablesFor("APP.REFRESH"));
        assertEquals(Optional.empty(), config.procedureWrites().tablesFor("refresh"), "a qualified declaration is exact");
    }

    @Test
    void aPairWithoutANameIsNamedInTheError() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> SqlCacheConfig.load(Map.of(), Map.of("sqlcache.procedureWrites", "refresh")));
        assertTrue(e.getMessage().contains("sqlcache.procedureWrites"), e.getMessage());
        assertTrue(e.getMessage().contains("name=table+table"), e.getMessage());
    }
}
