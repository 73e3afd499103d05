package dev.sqlcache.internal.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who may share a leader's result: only misses that read its very tokens, and only while it takes followers. */
class FlightsTest {

    private static String[] tokens(String table, String sequence) {
        String[] tokens = new String[CacheEngine.SEQUENCE_INDEX + 2];
        java.util.Arrays.fill(tokens, "t");
        tokens[CacheEngine.SEQUENCE_INDEX] = sequence;
        tokens[tokens.length - 1] = table;
        return tokens;
    }

    @Test
    void aMissThatReadOtherTokensDoesNotFollow() {
        Flights flights = new Flights();
        Flights.Flight flight = flights.lead("k", tokens("a", "1"));
        assertNotNull(flight);
        assertNull(flights.lead("k", tokens("a", "1")), "one leader per key");
        assertFalse(flight.join(tokens("b", "1")), "a write's token fell between the two lookups");
        assertTrue(flight.join(tokens("a", "9")), "the write sequence alone moved, as for any hit");
    }

    @Test
    void nobodyJoinsOnceTheLeaderWentOnAlone() {
        Flights flights = new Flights();
        Flights.Flight flight = flights.lead("k", tokens("a", "1"));
        assertFalse(flight.followed());
        assertFalse(flight.join(tokens("a", "1")));
        assertNull(flights.current("k"));
        assertNotNull(flights.lead("k", tokens("a", "1")), "the next miss leads again");
    }

    @Test
    void followersGetWhatTheLeaderEndedWith() throws Exception {
        Flights flights = new Flights();
        Flights.Flight flight = flights.lead("k", tokens("a", "1"));
        assertTrue(flight.join(tokens("a", "1")));
        assertTrue(flight.followed());
        dev.sqlcache.internal.codec.CachedResult result;
        try (var c = java.sql.DriverManager.getConnection("jdbc:h2:mem:flights");
             var rs = c.createStatement().executeQuery("select 1")) {
            var capture = dev.sqlcache.internal.codec.ResultCapture.begin(rs.getMetaData(), 10, 1 << 20);
            while (rs.next()) {
                assertTrue(capture.captureRow(rs));
            }
            result = capture.finish();
        }
        Thread leader = new Thread(() -> flight.end(result));
        leader.start();
        assertSame(result, flight.await());
        leader.join();
        assertNull(flights.current("k"));
    }
}
