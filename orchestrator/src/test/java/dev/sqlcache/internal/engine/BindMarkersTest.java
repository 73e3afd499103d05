package dev.sqlcache.internal.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BindMarkersTest {

    @Test
    void countsOnlyMarkersOutsideLiteralsIdentifiersAndComments() {
        assertEquals(0, BindMarkers.count("select 1"));
        assertEquals(2, BindMarkers.count("select * from t where a = ? and b = ?"));
        assertEquals(1, BindMarkers.count("select '?', \"?\", `?` from t where a = ? -- ?\n"));
        assertEquals(1, BindMarkers.count("select /* ? */ a from t where b = ? /* ?"));
        assertEquals(1, BindMarkers.count("select 'it''s ?' from t where a = ?"));
        assertEquals(0, BindMarkers.count("select 'unterminated ?"));
    }
}
