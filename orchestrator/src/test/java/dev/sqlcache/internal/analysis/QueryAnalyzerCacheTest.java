package dev.sqlcache.internal.analysis;

import dev.sqlcache.stats.BypassReason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-text cache: a statement executed again must not be parsed again. */
class QueryAnalyzerCacheTest {

    @Test
    void secondCallReturnsTheSameInstanceWithoutAnalysingAgain() {
        QueryAnalyzer analyzer = new QueryAnalyzer(DatabaseFamily.POSTGRES, 100);
        QueryAnalysis first = analyzer.analyze("SELECT * FROM t WHERE id = ?");
        assertEquals(1, analyzer.analysisCount());
        QueryAnalysis second = analyzer.analyze("SELECT * FROM t WHERE id = ?");
        assertSame(first, second);
        assertEquals(1, analyzer.analysisCount());
    }

    @Test
    void failuresAreCachedToo() {
        QueryAnalyzer analyzer = new QueryAnalyzer(DatabaseFamily.POSTGRES, 100);
        QueryAnalysis first = analyzer.analyze("SELEKT garbage (");
        assertEquals(BypassReason.UNPARSEABLE, first.bypassReason());
        assertSame(first, analyzer.analyze("SELEKT garbage ("));
        assertEquals(1, analyzer.analysisCount());
    }

    @Test
    void theCacheKeyIsTheExactText() {
        QueryAnalyzer analyzer = new QueryAnalyzer(DatabaseFamily.POSTGRES, 100);
        analyzer.analyze("SELECT * FROM t");
        analyzer.analyze("select * from t");
        assertEquals(2, analyzer.analysisCount());
    }

    @Test
    void nullIsUnparseableAndNeverCached() {
        QueryAnalyzer analyzer = new QueryAnalyzer(DatabaseFamily.H2, 100);
        QueryAnalysis a = analyzer.analyze(null);
        assertEquals(StatementKind.UNKNOWN, a.kind());
        assertEquals(BypassReason.UNPARSEABLE, a.bypassReason());
        assertEquals(0, analyzer.cachedAnalyses());
    }

    @Test
    void theCacheIsBounded() {
        QueryAnalyzer analyzer = new QueryAnalyzer(DatabaseFamily.H2, 10);
        for (int i = 0; i < 500; i++) {
            analyzer.analyze("SELECT * FROM t WHERE id = " + i);
        }
        assertTrue(analyzer.cachedAnalyses() <= 10, () -> "cached " + analyzer.cachedAnalyses());
        assertEquals(500, analyzer.analysisCount());
    }

    @Test
    void aZeroSizedCacheStillAnalyses() {
        QueryAnalyzer analyzer = new QueryAnalyzer(DatabaseFamily.H2, 0);
        QueryAnalysis a = analyzer.analyze("SELECT * FROM t");
        assertEquals(a, analyzer.analyze("SELECT * FROM t"));
        assertTrue(a.cacheable());
    }

    @Test
    void aNegativeCacheSizeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new QueryAnalyzer(DatabaseFamily.H2, -1));
    }

    @Test
    void concurrentCallersShareOneAnalysisPerText() throws Exception {
        QueryAnalyzer analyzer = new QueryAnalyzer(DatabaseFamily.POSTGRES, 1_000);
        int texts = 50;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<List<QueryAnalysis>>> tasks = new ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                tasks.add(() -> {
                    List<QueryAnalysis> seen = new ArrayList<>();
                    for (int i = 0; i < texts; i++) {
                        seen.add(analyzer.analyze("SELECT a FROM t" + i + " JOIN u ON t" + i + ".id = u.id"));
                    }
                    return seen;
                });
            }
            List<Future<List<QueryAnalysis>>> results = pool.invokeAll(tasks);
            List<QueryAnalysis> reference = results.get(0).get();
            for (Future<List<QueryAnalysis>> result : results) {
                List<QueryAnalysis> seen = result.get();
                for (int i = 0; i < texts; i++) {
                    assertSame(reference.get(i), seen.get(i));
                    assertEquals(java.util.Set.of("t" + i, "u"), seen.get(i).tablesRead());
                }
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(texts, analyzer.analysisCount());
    }
}
