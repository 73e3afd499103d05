package dev.sqlcache.consistency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The bank of the snapshot-transaction check (issue #12): {@code bank_account(id, balance)}, {@link #ACCOUNTS}
 * accounts whose balances always add up to {@link #TOTAL}, in every committed state and so in every snapshot.
 */
final class BankSchema {

    static final int ACCOUNTS = 32;
    static final long START_BALANCE = 1000;
    static final long TOTAL = START_BALANCE * ACCOUNTS;

    private BankSchema() {
    }

    static void create(Connection raw) throws SQLException {
        raw.setAutoCommit(true);
        try (Statement s = raw.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bank_account");
            s.execute("CREATE TABLE bank_account (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
        }
        raw.setAutoCommit(false);
        try (PreparedStatement p = raw.prepareStatement("INSERT INTO bank_account (id, balance) VALUES (?, ?)")) {
            for (int i = 0; i < ACCOUNTS; i++) {
                p.setInt(1, i);
                p.setLong(2, START_BALANCE);
                p.executeUpdate();
            }
        }
        raw.commit();
        raw.setAutoCommit(true);
    }
}
