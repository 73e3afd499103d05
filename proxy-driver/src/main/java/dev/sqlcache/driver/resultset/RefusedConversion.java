package dev.sqlcache.driver.resultset;

import java.sql.SQLDataException;

/**
 * A conversion the cache cannot reproduce exactly from a cell (SQLState 22018). Its own class so that a cached
 * result set can tell it from every other failure and hand the getter over to the database.
 */
final class RefusedConversion extends SQLDataException {
    private static final long serialVersionUID = 1L;

    RefusedConversion(String reason) {
        super(reason, "22018");
    }
}
