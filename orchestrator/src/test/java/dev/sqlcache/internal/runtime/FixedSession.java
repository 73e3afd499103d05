package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.engine.CacheEngine;
import dev.sqlcache.internal.engine.SessionCache;
import dev.sqlcache.internal.engine.SessionProbe;
import dev.sqlcache.internal.engine.TableFacts;

import java.util.Set;
import java.util.function.Supplier;

/**
 * A session on an engine with no real connection behind it: catalog "db", schema "public", user "app", every
 * table keyable, and a connection whose state never changes behind the proxy's back (what the engine tests and
 * {@link SimulatedJvm} need; the driver's tests use real connections).
 */
final class FixedSession {

    private FixedSession() {
    }

    /**
     * @param idle what the real driver would say of the transaction before the first statement: idle (nothing
     *             ran yet, so a REPEATABLE READ transaction may pin its snapshot to the cache), or unknown
     */
    static SessionCache open(CacheEngine engine, boolean autoCommit, int isolation, boolean idle) {
        return open(engine, autoCommit, isolation, idle, () -> null);
    }

    /** @param transactionOpen what the real driver would say of the server's transaction when asked (null: cannot tell) */
    static SessionCache open(CacheEngine engine, boolean autoCommit, int isolation, boolean idle,
                             Supplier<Boolean> transactionOpen) {
        SessionProbe probe = new SessionProbe() {
            @Override
            public String catalog() {
                return "db";
            }

            @Override
            public String schema() {
                return "public";
            }

            @Override
            public boolean autoCommit() {
                return autoCommit;
            }

            @Override
            public int isolation() {
                return isolation;
            }

            @Override
            public boolean transactionIdle() {
                return idle;
            }

            @Override
            public Boolean transactionOpen(boolean afterAFailure) {
                return transactionOpen.get();
            }

            @Override
            public void takeSnapshot() {
                // No database here: nothing to fix.
            }
        };
        return engine.openSession(new SessionCache.SessionState("app", "db", "public", autoCommit, isolation), "",
                table -> new TableFacts(true, false, Set.of()), probe);
    }
}
