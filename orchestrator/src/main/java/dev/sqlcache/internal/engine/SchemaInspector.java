package dev.sqlcache.internal.engine;

/**
 * Reads from the database what the SQL text does not say about a table: whether it is a plain table, whether
 * triggers fire on it, and which tables a foreign key action changes when it changes. Implemented by the driver
 * over the connection's metadata; the engine remembers the answers for a while.
 */
@FunctionalInterface
public interface SchemaInspector {

    /**
     * @param table a table name as the analysis reports it: lower case, qualified as the SQL qualified it
     * @throws Exception when the database cannot tell; the engine then assumes the worst
     */
    TableFacts inspect(String table) throws Exception;
}
