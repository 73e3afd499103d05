package dev.sqlcache.internal.analysis;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransactionChainTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "COMMIT|COMMIT",
            "commit and chain|COMMIT_AND_CHAIN",
            "COMMIT WORK AND CHAIN|COMMIT_AND_CHAIN",
            "COMMIT AND NO CHAIN|COMMIT",
            "ROLLBACK AND CHAIN|ROLLBACK_AND_CHAIN",
            "ROLLBACK AND NO CHAIN|ROLLBACK",
            "ROLLBACK TO SAVEPOINT s|ROLLBACK_TO_SAVEPOINT"})
    void chainedEndsStartANewTransaction(String sql, TransactionControl expected) {
        for (DatabaseFamily family : new DatabaseFamily[] {DatabaseFamily.POSTGRES, DatabaseFamily.MARIADB, DatabaseFamily.H2}) {
            QueryAnalysis analysis = new QueryAnalyzer(family, 10).analyze(sql);
            assertEquals(StatementKind.TRANSACTION_CONTROL, analysis.kind(), family + " " + sql);
            assertEquals(expected, analysis.transactionControl(), family + " " + sql);
        }
    }
}
