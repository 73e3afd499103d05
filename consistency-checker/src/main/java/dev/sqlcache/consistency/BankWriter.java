package dev.sqlcache.consistency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Moves amounts between two {@code bank_account} rows, in READ COMMITTED and in REPEATABLE READ transactions (the
 * latter read both balances from their snapshot first, as an application checking funds would), so the total never
 * changes in any committed state.
 */
final class BankWriter {

    private final Workload.Settings settings;
    private final Report report;
    private final SplittableRandom random;

    BankWriter(Workload.Settings settings, Report report, SplittableRandom random) {
        this.settings = settings;
        this.report = report;
        this.random = random;
    }

    void run(long deadline) {
        try (Connection rc = settings.target().cached(settings.cacheSettings());
             Connection rr = settings.target().cached(settings.cacheSettings())) {
            rc.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            rc.setAutoCommit(false);
            rr.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            rr.setAutoCommit(false);
            long ops = 0;
            while (System.nanoTime() < deadline && ops++ < settings.maxOperationsPerThread()) {
                Connection tx = random.nextBoolean() ? rc : rr;
                try {
                    transfer(tx, tx == rr);
                    report.count("bank.transfers");
                } catch (SQLException e) {
                    Workload.rollbackQuietly(tx);
                    if (Workload.isConflict(e)) {
                        report.count("dbConflicts");
                    } else {
                        report.error(Thread.currentThread().getName() + ": " + Workload.describe(e));
                    }
                } catch (RuntimeException e) {
                    Workload.rollbackQuietly(tx);
                    report.error(Thread.currentThread().getName() + ": " + Workload.describe(e));
                }
                pause();
            }
        } catch (SQLException | RuntimeException e) {
            report.error(Thread.currentThread().getName() + " could not run: " + Workload.describe(e));
        }
    }

    private void transfer(Connection tx, boolean checkFunds) throws SQLException {
        int from = random.nextInt(BankSchema.ACCOUNTS);
        int to = (from + 1 + random.nextInt(BankSchema.ACCOUNTS - 1)) % BankSchema.ACCOUNTS;
        long amount = 1 + random.nextInt(50);
        if (checkFunds) {
            report.sent("bank_account", 2);
            long total = balance(tx, from) + balance(tx, to);
            if (total < 0) {
                throw new SQLException("negative balances " + total + " read in a snapshot of accounts " + from
                        + " and " + to);
            }
        }
        // Lower id first: one lock order for every writer, so transfers do not deadlock each other.
        try (PreparedStatement p = tx.prepareStatement(
                "UPDATE bank_account SET balance = balance + ? WHERE id = ?")) {
            for (int id : new int[] {Math.min(from, to), Math.max(from, to)}) {
                p.setLong(1, id == from ? -amount : amount);
                p.setInt(2, id);
                if (p.executeUpdate() != 1) {
                    throw new SQLException("bank account " + id + " missing");
                }
                report.sent("bank_account");
            }
        }
        tx.commit();
    }

    private static long balance(Connection tx, int id) throws SQLException {
        try (PreparedStatement p = tx.prepareStatement("SELECT balance FROM bank_account WHERE id = ?")) {
            p.setInt(1, id);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("bank account " + id + " missing");
                }
                return rs.getLong(1);
            }
        }
    }

    /**
     * Three times the other writers' pause: each transfer invalidates what the readers' snapshots could be served
     * from (the whole table, until writes invalidate by key), and the check needs those reads.
     */
    private void pause() {
        long micros = 3 * settings.writePauseMicros();
        if (micros > 0) {
            try {
                TimeUnit.MICROSECONDS.sleep(micros / 2 + random.nextLong(micros));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
