package dev.sqlcache.consistency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Reads every {@code bank_account} balance with its own statement inside one read-only REPEATABLE READ transaction
 * (a quarter of them SERIALIZABLE on PostgreSQL) and adds them up: any total but {@link BankSchema#TOTAL} is a
 * violation, reported with the reads the cache served. Counts the snapshot reads and those served from the cache.
 *
 * <p>With {@code naive} the reader skips its transaction and reads each balance in auto-commit: the invariant then
 * breaks without any cache bug, which shows that the check can fail.
 */
final class BankReader {

    static final String SQL = "SELECT balance FROM bank_account WHERE id = ?";

    private final Workload.Settings settings;
    private final Report report;
    private final SplittableRandom random;
    private final boolean naive;

    BankReader(Workload.Settings settings, Report report, SplittableRandom random) {
        this.settings = settings;
        this.report = report;
        this.random = random;
        this.naive = settings.naiveBank();
    }

    void run(long deadline) {
        try (Connection c = settings.target().cached(settings.cacheSettings())) {
            if (naive) {
                c.setAutoCommit(true);
            } else {
                c.setAutoCommit(false);
                c.setReadOnly(true);
            }
            long ops = 0;
            while (System.nanoTime() < deadline && ops < settings.maxOperationsPerThread()) {
                try {
                    String mode = "auto-commit (naive)";
                    if (!naive) {
                        boolean serializable = settings.target().isPostgres() && random.nextInt(4) == 0;
                        c.setTransactionIsolation(serializable ? Connection.TRANSACTION_SERIALIZABLE
                                : Connection.TRANSACTION_REPEATABLE_READ);
                        mode = serializable ? "serializable read-only" : "repeatable-read read-only";
                    }
                    ops += readAll(c, mode);
                } catch (SQLException e) {
                    Workload.rollbackQuietly(c);
                    if (Workload.isConflict(e)) {
                        report.count("dbConflicts");
                    } else {
                        report.error(Thread.currentThread().getName() + ": " + Workload.describe(e));
                    }
                } catch (RuntimeException e) {
                    Workload.rollbackQuietly(c);
                    report.error(Thread.currentThread().getName() + ": " + Workload.describe(e));
                }
                pause();
            }
        } catch (SQLException | RuntimeException e) {
            report.error(Thread.currentThread().getName() + " could not run: " + Workload.describe(e));
        }
    }

    /** Paced like the writers: a bank reader runs 32 statements at a time and must not starve the other readers. */
    private void pause() {
        long micros = settings.writePauseMicros();
        if (micros > 0) {
            try {
                java.util.concurrent.TimeUnit.MICROSECONDS.sleep(micros / 2 + random.nextLong(micros));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private int readAll(Connection c, String mode) throws SQLException {
        long total = 0;
        List<Integer> hits = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(SQL)) {
            for (int id = 0; id < BankSchema.ACCOUNTS; id++) {
                p.setInt(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.getClass().getSimpleName().contains("Cached")) {
                        hits.add(id);
                    }
                    if (!rs.next()) {
                        throw new SQLException("bank account " + id + " missing");
                    }
                    total += rs.getLong(1);
                }
            }
        }
        report.sent("bank_account", BankSchema.ACCOUNTS);
        if (!naive) {
            c.commit();
        }
        String counted = naive ? "bank.naive" : "bank.snapshot";
        report.count(counted + "Totals");
        report.add(counted + "Reads", BankSchema.ACCOUNTS);
        report.add(counted + "Hits", hits.size());
        if (total != BankSchema.TOTAL) {
            report.violation(hits.isEmpty() ? "bank-total-no-hit" : "bank-total", mode + " total " + total
                    + ", expected " + BankSchema.TOTAL + "; " + hits.size() + " of " + BankSchema.ACCOUNTS
                    + " reads were cache hits: accounts " + hits);
        }
        return BankSchema.ACCOUNTS;
    }
}
