package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.engine.Execution;
import dev.sqlcache.internal.engine.SqlCall;
import dev.sqlcache.internal.store.InMemoryCacheStore;
import dev.sqlcache.stats.BypassReason;
import dev.sqlcache.testing.ManualTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SessionCache.leftOpen, the one decision whether an execution begun in auto-commit left a transaction open on the
 * server (its writes' leases then stay until that transaction's end), on an engine named for MySQL: what the driver
 * reports decides for a procedure, a statement not understood and a failed batch; the analysis for known statements
 * that succeeded; when the driver cannot tell, only a successful batch's own BEGIN counts.
 */
class LeftOpenDecisionTest {

    private static final String MYSQL = "jdbc:mysql://127.0.0.1:3306/simulated";

    private final ManualTime time = new ManualTime();
    private final SimulatedJvm.Database database = new SimulatedJvm.Database();
    private InMemoryCacheStore shared;
    private SimulatedJvm caller;
    private SimulatedJvm other;
    /** What the caller's driver reports of the server's transaction after the call; null: it cannot tell. */
    private Boolean serverSays;

    @BeforeEach
    void open() {
        shared = new InMemoryCacheStore(64L * 1024 * 1024, time);
        caller = new SimulatedJvm(shared, database, time, Map.of(), MYSQL);
        other = new SimulatedJvm(shared, database, time, Map.of(), MYSQL);
        database.values.put("t", 1);
    }

    private SimulatedJvm.Session session() {
        return caller.session(() -> serverSays);
    }

    private static void call(SimulatedJvm.Session session, SqlCall<Object> procedure) throws SQLException {
        session.cache.execute(Execution.call(session.cache.plan("call p()"), false), procedure);
    }

    private static void batch(SimulatedJvm.Session session, SqlCall<Object> run, String... sql) throws SQLException {
        session.cache.execute(Execution.batch(List.of(sql).stream().map(session.cache::plan).toList()), run);
    }

    private static void sql(SimulatedJvm.Session session, String sql) throws SQLException {
        session.cache.execute(Execution.statement(session.cache.plan(sql)), () -> 0);
    }

    /** Whether the caller's write of {@code t} is still leased: another JVM's read of it passes through. */
    private boolean leased() throws SQLException {
        long before = other.bypasses(BypassReason.WRITE_IN_PROGRESS);
        other.session().read("t");
        return other.bypasses(BypassReason.WRITE_IN_PROGRESS) > before;
    }

    @Test
    void aProcedureTheServerReportsOpenKeepsItsLeaseUntilTheCommit() throws Exception {
        SimulatedJvm.Session session = session();
        serverSays = true;
        call(session, () -> database.values.put("t", 2));
        assertTrue(leased(), "the procedure's write is uncommitted");
        serverSays = false;
        sql(session, "commit");
        assertFalse(leased(), "ended by the commit");
    }

    @Test
    void aProcedureTheServerReportsClosedEndsItsLeaseAsItReturns() throws Exception {
        serverSays = false;
        call(session(), () -> database.values.put("t", 2));
        assertFalse(leased());
    }

    @Test
    void aProcedureWhoseDriverCannotTellIsTakenAsClosed() throws Exception {
        serverSays = null;
        call(session(), () -> database.values.put("t", 2));
        assertFalse(leased(), "a transaction kept open on a guess would keep its leases past their expiry");
    }

    @Test
    void aKnownBatchIsToldByItsAnalysisNotByTheDriver() throws Exception {
        serverSays = null;
        SimulatedJvm.Session session = session();
        batch(session, () -> database.values.put("t", 2), "update t set v = 2", "begin");
        assertTrue(leased(), "its last transaction statement began one");
        sql(session, "commit");
        assertFalse(leased());
        serverSays = true; // not asked: the analysis knows the batch committed what it began
        batch(session(), () -> database.values.put("t", 3), "begin", "update t set v = 3", "commit");
        assertFalse(leased());
    }

    @Test
    void aFailedBatchIsToldByTheDriverAndTakenAsClosedWhenItCannotTell() throws Exception {
        serverSays = true;
        SimulatedJvm.Session open = session();
        assertThrows(SQLException.class, () -> batch(open, () -> {
            throw new SQLException("the second statement failed");
        }, "begin", "update t set v = 2"));
        assertTrue(leased(), "the driver reports the transaction open");
        serverSays = false;
        sql(open, "rollback");
        assertFalse(leased());
        serverSays = null;
        assertThrows(SQLException.class, () -> batch(session(), () -> {
            throw new SQLException("the second statement failed");
        }, "begin", "update t set v = 2"));
        assertFalse(leased(), "its BEGIN may not have run");
        assertEquals(1, (int) database.values.get("t"));
    }
}
