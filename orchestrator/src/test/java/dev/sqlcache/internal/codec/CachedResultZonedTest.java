package dev.sqlcache.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which TIME and TIMESTAMP columns hold an instant: read from the database's type name, in any case. */
class CachedResultZonedTest {

    @ParameterizedTest
    @CsvSource({
            "TIMESTAMP, timestamptz, true",
            "TIMESTAMP, TIMESTAMPTZ, true",
            "TIMESTAMP, TIMESTAMP WITH TIME ZONE, true",
            "TIMESTAMP, timestamp with time zone, true",
            "TIME, timetz, true",
            "TIME, Time With Time Zone, true",
            "TIMESTAMP, timestamp, false",
            "TIMESTAMP, datetime, false",
            "TIME, t, false",
            "STRING, timestamptz, false",
            "TIMESTAMP, , false"})
    void aZonedColumnIsKnownByItsTypeName(ValueKind kind, String typeName, boolean zoned) {
        ColumnMetadata column = new ColumnMetadata(null, null, null, "c", "c", 0, typeName, null, 0, 0, 0, 0,
                false, false, false, false, false, false, false, false);
        CachedResult result = new CachedResult(new ColumnMetadata[] {column}, new ValueKind[] {kind}, new int[1],
                new int[1], new Object[0][], new String[0][]);
        assertEquals(zoned, result.zoned(0));
    }
}
