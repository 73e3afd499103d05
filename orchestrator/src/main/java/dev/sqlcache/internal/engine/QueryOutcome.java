package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.codec.CachedResult;

import java.sql.ResultSet;

/** What a query became: an answer from the cache, or the real driver's result (being copied for the cache, or not). */
public sealed interface QueryOutcome permits QueryOutcome.Hit, QueryOutcome.Ran {

    /**
     * Served from the cache: the real statement did not run. Also the engine's decision for a hit
     * ({@link ReadOutcome}); immutable, so a near copy's one instance is handed to every execution it serves.
     */
    record Hit(CachedResult result) implements QueryOutcome, ReadOutcome {
    }

    /**
     * The real statement ran.
     *
     * @param resultSet what it returned (possibly {@code null})
     * @param capture   copies the rows for the cache as the application reads them; {@code null} when the result
     *                  is not to be cached
     */
    record Ran(ResultSet resultSet, Capture capture) implements QueryOutcome {
    }
}
