package dev.sqlcache.consistency;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A parent deleted through sqlcache takes its children with it by ON DELETE CASCADE. The children's table was
 * changed by that commit too, so a cached read of the children from before it must not be served after it.
 */
class CascadeDeleteTest extends Fixtures {

    @Test
    void h2() throws Exception {
        check(h2Target());
    }

    @Test
    void postgresql() throws Exception {
        check(Target.postgres());
    }

    @Test
    void mariadb() throws Exception {
        check(Target.mariadb());
    }

    private static void check(Target target) throws Exception {
        reset(target);
        try (Connection c = cached(target); Connection raw = target.raw()) {
            assertEquals(List.of(1L, 1L, 1L), children(c, 3));
            assertEquals(List.of(1L, 1L, 1L), children(c, 3)); // now cached
            assertEquals(1, execute(c, "DELETE FROM cc_parent WHERE id = 3"));
            assertEquals(List.of(), children(raw, 3), "the database deleted the children");
            assertEquals(List.of(), children(c, 3), "sqlcache after the delete's commit returned (children were "
                    + "deleted by ON DELETE CASCADE, table cc_child)");
        }
    }
}
