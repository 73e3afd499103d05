package dev.sqlcache.internal.codec;

import java.time.LocalTime;

/**
 * A TIME cell: the {@link java.sql.Time} millis the driver returned from getObject, plus the exact
 * {@link LocalTime} (with sub-millisecond digits) when the driver's text form told us, else null.
 */
public record TimeValue(long epochMillis, LocalTime localTime) {
}
