package dev.sqlcache.internal.resultset;

import java.sql.SQLDataException;

/**
 * A conversion the cache cannot reproduce exactly from a cell (SQLState 22018), or a value out of the target's
 * range (22003), whose exception each driver words its own way (MariaDB's has no SQLState). Its own class so that a
 * cached result set can tell it from every other failure and hand the getter over to the database; it is thrown
 * only when that cannot be done.
 */
final class RefusedConversion extends SQLDataException {
    private static final long serialVersionUID = 1L;

    RefusedConversion(String reason) {
        super(reason, "22018");
    }

    RefusedConversion(String reason, String sqlState) {
        super(reason, sqlState);
    }
}
