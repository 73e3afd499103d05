package dev.sqlcache.driver;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**

 * a write whose lease could not reach Redis is "owed"; the owed bump is redelivered by the
 * background thread as soon as Redis answers -- possibly before the transaction commits. The commit then skips
 * the key (its lease token is null), so an entry stored between the redelivery and the commit stays valid.
 */
class OwedLeaseDeliveredBeforeCommitTest extends RedisBackedTest {

    private static final TestDatabase DB = TestDatabase.H2;
    private static final String READ = "select stock from owed where id = 1";

    private static Properties fastFailing() {
        return settings("sqlcache.redis.socketTimeout", "200ms", "sqlcache.redis.socketConnectTimeout", "200ms");
    }

    @Test
    void commitAfterRedeliveryStillInvalidates() throws Exception {
        try (Connection reader = DB.cached(fastFailing()); Connection writer = DB.cached(fastFailing())) {
            exec(writer, "drop table if exists owed", "create table owed (id int primary key, stock int)",
                    "insert into owed values (1, 100)");
            assertEquals(List.of(List.of("100")), rows(reader, READ));
            writer.setAutoCommit(false);
            redis.pause();
            try {
                exec(writer, "update owed set stock = 1 where id = 1"); // lease times out: owed
            } finally {
                redis.resume();
            }
            Thread.sleep(1000); // redelivery (10 ms) and the 250 ms grace pass; the transaction is still open
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of(List.of("100")), rows(reader, READ), "uncommitted: the old value");
            }
            writer.commit();
            assertEquals(List.of(List.of("1")), rows(reader, READ), "committed write must be visible");
        }
    }
}
