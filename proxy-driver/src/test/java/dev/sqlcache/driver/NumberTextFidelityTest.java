package dev.sqlcache.driver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A capture now compares an integer or a plain decimal with the driver's text digit by digit instead of formatting
 * it ({@code StringFormats.matches}). Numbers whose text is not the value's canonical form — MariaDB's ZEROFILL
 * integers and decimals, decimals around the 18-digit limit of the digit-by-digit path, values whose plain form
 * has six or seven leading fraction zeros, zero with a scale, the extremes of bigint — read through the real
 * driver and through sqlcache (a miss, then a hit) must give the driver's getString, getObject and wasNull.
 */
class NumberTextFidelityTest extends RedisBackedTest {

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB", "H2"})
    void numbersAnswerAsTheDriver(TestDatabase db) throws Exception {
        flushCaches();
        // sqlcache runs pgjdbc with binaryTransfer=false (RealDriverSettings): compared with the same setting, since
        // with binary results pgjdbc's getString of a numeric turns to BigDecimal.toString after prepareThreshold.
        String url = db == TestDatabase.POSTGRES ? db.url() + (db.url().contains("?") ? "&" : "?")
                + "binaryTransfer=false" : db.url();
        Properties credentials = db.credentials();
        String[] common = {"cast(123456789012345678 as bigint)", "cast(-9223372036854775808 as bigint)",
            "cast(9223372036854775807 as bigint)", "cast(0 as decimal(5,2))", "cast(-0.5 as decimal(5,2))",
            "cast(0.000001 as decimal(20,6))", "cast(0.0000001 as decimal(20,7))",
            "cast(-0.0000001 as decimal(20,8))", "cast(12345678901234567.8 as decimal(19,1))",
            "cast(1234567890123456789 as decimal(19,0))", "cast(-123456789012345678.9 as decimal(19,1))",
            "cast(99999999999999999.99 as decimal(19,2))", "cast(100 as decimal(3,0))", "cast(7 as decimal(10,9))",
            "cast(-0 as decimal(4,1))", "cast(-1 as integer)", "cast(0 as smallint)"};
        String[] own = switch (db) {
            case MARIADB -> new String[] {"z_int", "z_dec", "z_neg", "z_big",
                "cast(-0.00 as decimal(5,2))"};
            case POSTGRES -> new String[] {"-0.00::numeric", "0.0000001::numeric", "1e-7::numeric(20,10)",
                "123456789012345678::numeric", "1234567890123456789::numeric", "'0001.50'::numeric"};
            default -> new String[] {"cast(1E+3 as numeric(10,0))", "cast(0.0000001 as numeric(20,10))",
                "cast(-0.00 as numeric(5,2))"};
        };
        try (Connection direct = DriverManager.getConnection(url, credentials)) {
            exec(direct, "drop table if exists r3_number");
            if (db == TestDatabase.MARIADB) {
                exec(direct, "create table r3_number (id integer primary key, z_int int(6) zerofill, "
                        + "z_dec decimal(8,3) zerofill, z_neg int unsigned zerofill, z_big bigint(20) zerofill)",
                        "insert into r3_number values (1, 42, 1.5, 0, 18446744073709551615), "
                                + "(2, 0, 0, 4294967295, 1), (3, null, null, null, null)");
            } else {
                exec(direct, "create table r3_number (id integer primary key)", "insert into r3_number values (1), (2)");
            }
        }
        if (db == TestDatabase.MARIADB) {
            for (int i = 0; i < common.length; i++) {
                common[i] = common[i].replaceAll(" as (bigint|integer|smallint)\\)", " as signed)");
            }
        }
        String[] all = new String[common.length + own.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(own, 0, all, common.length, own.length);
        List<String> wrong = TextColumnFidelityTest.compare(url, credentials, all, "r3_number");
        assertEquals(List.of(), wrong, String.join("\n", wrong));
    }
}
