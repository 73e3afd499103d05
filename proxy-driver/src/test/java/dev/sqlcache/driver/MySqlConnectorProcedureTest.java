package dev.sqlcache.driver;

import dev.sqlcache.testing.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;

import static dev.sqlcache.driver.OpenTransactionChecks.failLeavingATransactionOpen;
import static dev.sqlcache.driver.OpenTransactionChecks.keepsTheLeaseUntil;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.schema;
import static dev.sqlcache.driver.SnapshotHiddenStatementsAttackTest.warm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MySQL path (MySQL Connector/J, database family MYSQL) for a procedure that leaves a transaction open in
 * auto-commit mode. There is no MySQL server on this machine: these run Connector/J against the local MariaDB, which
 * reports SERVER_STATUS_IN_TRANS in the same bit of the same OK packet; what a MySQL server sets there after a CALL
 * is what its protocol documents, not tested here.
 */
class MySqlConnectorProcedureTest extends RedisBackedTest {

    /** The same procedure as ImplicitCommitAttackTest's MariaDB case: failed here before the probe read the status. */
    @Test
    void aProcedureThatLeavesATransactionOpenKeepsItsLeases() throws Exception {
        try (Connection direct = TestDatabase.MARIADB.direct(); Connection writer = cached();
             Connection other = cached()) {
            assertTrue(writer.isWrapperFor(com.mysql.cj.jdbc.JdbcConnection.class), "through MySQL Connector/J");
            schema(direct);
            exec(direct, "drop procedure if exists hd_open",
                    "create procedure hd_open() begin start transaction; "
                            + "update sr_account set balance = balance - 30 where id = 1; end");
            try (CallableStatement call = writer.prepareCall("{call hd_open()}")) {
                call.execute();
            }
            keepsTheLeaseUntil(direct, other, () -> exec(writer, "commit"));
        }
    }

    /**
     * A call that starts a transaction, writes, then fails, in auto-commit mode: a procedure that SIGNALs, a batch
     * whose last statement fails, a multi-statement string whose last statement fails. The update stays open on the
     * server, but MySQL Connector/J clears its status flags before each reply and an error reply carries none: it
     * said closed, the write's lease ended, and the old balance was served after the commit of 70.
     */
    @ParameterizedTest
    @ValueSource(strings = {"procedure", "batch", "string"})
    void aCallThatFailsWithATransactionOpenKeepsItsLeases(String way) throws Exception {
        try (Connection direct = TestDatabase.MARIADB.direct(); Connection writer = cached("&allowMultiQueries=true");
             Connection other = cached()) {
            schema(direct);
            failLeavingATransactionOpen(direct, writer, way);
            keepsTheLeaseUntil(direct, other, () -> exec(writer, "commit"));
        }
    }

    /**
     * A procedure that writes in auto-commit and leaves nothing open: its lease ends as the call returns, so the
     * table is cached again at once (taken as open, it would stay leased until the lease expired, and the writer's
     * next auto-commit writes would be taken for more of a transaction that is not there).
     */
    @Test
    void aProcedureThatCommitsAsItRunsEndsItsLeaseAtOnce() throws Exception {
        try (Connection direct = TestDatabase.MARIADB.direct(); Connection writer = cached();
             Connection other = cached()) {
            schema(direct);
            exec(direct, "drop procedure if exists hd_commit",
                    "create procedure hd_commit() begin update sr_account set balance = balance - 30 where id = 1; end");
            warm(other, 1);
            try (CallableStatement call = writer.prepareCall("{call hd_commit()}")) {
                call.execute();
            }
            assertEquals(70, warm(other, 1), "cached again, with the committed value");
            exec(writer, "update sr_account set balance = 50 where id = 1");
            assertEquals(50, warm(other, 1), "the writer's next auto-commit write ended its lease too");
        }
    }

    private static Connection cached() throws Exception {
        return cached("");
    }

    private static Connection cached(String moreUrl) throws Exception {
        Properties properties = TestDatabase.MARIADB.credentials();
        properties.putAll(settings());
        return DriverManager.getConnection("jdbc:sqlcache:mysql://" + TestServices.mariadb().address() + "/"
                + TestServices.databaseName() + "?sslMode=DISABLED&allowPublicKeyRetrieval=true" + moreUrl, properties);
    }
}
