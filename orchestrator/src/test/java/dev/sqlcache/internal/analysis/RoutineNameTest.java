package dev.sqlcache.internal.analysis;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RoutineNameTest {

    private static final QueryAnalyzer ANALYZER = new QueryAnalyzer(DatabaseFamily.POSTGRES, 100);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "CALL refresh_totals()|refresh_totals",
            "call App.Refresh(?, ?)|app.refresh",
            "{call bump(?)}|bump",
            "{? = call s.next_id(?)}|s.next_id",
            "/* why */ CALL \"Mixed\"()|mixed"})
    void aCallNamesItsProcedure(String sql, String routine) {
        QueryAnalysis analysis = ANALYZER.analyze(sql);
        assertEquals(StatementKind.CALL, analysis.kind());
        assertEquals(routine, analysis.routine());
    }
}
