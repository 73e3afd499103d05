package dev.sqlcache.internal.jdbc;

import org.junit.jupiter.api.Test;

import java.util.Calendar;
import java.util.Date;
import java.util.GregorianCalendar;
import java.util.Locale;
import java.util.SimpleTimeZone;
import java.util.TimeZone;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which calendars a bound date, time or timestamp may be keyed with by their zone's id alone. */
class CalendarKeyTest {

    @Test
    void onlyAPlainGregorianCalendarInTheStandardZoneOfItsIdIsNamedByIt() {
        assertTrue(ProxyPreparedStatement.namedByItsZone(Calendar.getInstance(TimeZone.getTimeZone("UTC"))));
        assertTrue(ProxyPreparedStatement.namedByItsZone(
                new GregorianCalendar(TimeZone.getTimeZone("Europe/Paris"))));
        assertFalse(ProxyPreparedStatement.namedByItsZone(
                Calendar.getInstance(new SimpleTimeZone(3_600_000, "UTC"))), "an own zone under a standard id");
        assertFalse(ProxyPreparedStatement.namedByItsZone(
                Calendar.getInstance(new SimpleTimeZone(3_600_000, "Europe/Paris"))), "no summer time");
        assertFalse(ProxyPreparedStatement.namedByItsZone(Calendar.getInstance(TimeZone.getTimeZone("UTC"),
                Locale.forLanguageTag("th-TH-u-ca-buddhist"))), "Buddhist years");
        GregorianCalendar julian = new GregorianCalendar(TimeZone.getTimeZone("UTC"));
        julian.setGregorianChange(new Date(Long.MAX_VALUE));
        assertFalse(ProxyPreparedStatement.namedByItsZone(julian), "Julian throughout");
    }
}
