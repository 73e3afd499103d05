package dev.sqlcache.consistency;

import dev.sqlcache.driver.SqlCacheConnection;
import dev.sqlcache.stats.CacheStatistics;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Writers and readers on one database through sqlcache, in one JVM; the test runs one in its own JVM and one in a
 * forked JVM ({@link #main}), both against the same database, Redis and {@link Watermarks} file.
 *
 * <p>The check is sound because of the order of events: a writer raises the watermark of a key only after its
 * commit returned (or, for auto-commit, after a direct read showed the value committed); a reader copies the
 * watermarks before its statement starts. So any committed state a correct answer may reflect is at least as new
 * as the copy. A REPEATABLE READ reader copies them before its transaction's first statement instead.
 */
public final class Workload {

    /** Which operations the readers and writers choose from. */
    public enum Mix {
        /** Every operation: the original tables, the key-level tables ({@link KeyedSchema}) and their checks. */
        FULL,
        /**
         * Key lookups, sums and key-pinned joins under key-pinned writes, on {@code cc_item} and {@code cc_group}
         * only: the workload on which key-level invalidation should save the database most of its work.
         */
        KEYED
    }

    /**
     * How one process runs. {@code bankWriters} and {@code bankReaders} run the bank of {@link BankSchema} next to
     * the mix; {@code naiveBank} makes its readers skip their transaction (a checker that must then fail).
     */
    public record Settings(Target target, Map<String, String> cacheSettings, Path watermarks, long seconds,
                           long seed, String name, int readers, int writers, long writePauseMicros,
                           long maxOperationsPerThread, Mix mix, int bankWriters, int bankReaders,
                           boolean naiveBank) {

        List<String> toArguments() {
            List<String> args = new ArrayList<>();
            args.add("target.name=" + target.name());
            args.add("target.url=" + target.url());
            args.add("target.user=" + target.user());
            args.add("target.password=" + target.password());
            cacheSettings.forEach((k, v) -> args.add("set." + k + "=" + v));
            args.add("watermarks=" + watermarks);
            args.add("seconds=" + seconds);
            args.add("seed=" + seed);
            args.add("name=" + name);
            args.add("readers=" + readers);
            args.add("writers=" + writers);
            args.add("writePauseMicros=" + writePauseMicros);
            args.add("maxOperationsPerThread=" + maxOperationsPerThread);
            args.add("mix=" + mix);
            args.add("bankWriters=" + bankWriters);
            args.add("bankReaders=" + bankReaders);
            args.add("naiveBank=" + naiveBank);
            return args;
        }

        static Settings fromArguments(String[] args) {
            Map<String, String> a = new LinkedHashMap<>();
            Map<String, String> cache = new LinkedHashMap<>();
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("expected key=value: " + arg);
                }
                String key = arg.substring(0, eq);
                if (key.startsWith("set.")) {
                    cache.put(key.substring(4), arg.substring(eq + 1));
                } else {
                    a.put(key, arg.substring(eq + 1));
                }
            }
            Target target = new Target(a.get("target.name"), a.get("target.url"), a.get("target.user"),
                    a.getOrDefault("target.password", ""));
            return new Settings(target, cache, Path.of(a.get("watermarks")), Long.parseLong(a.get("seconds")),
                    Long.parseLong(a.get("seed")), a.get("name"), Integer.parseInt(a.get("readers")),
                    Integer.parseInt(a.get("writers")), Long.parseLong(a.get("writePauseMicros")),
                    Long.parseLong(a.get("maxOperationsPerThread")), Mix.valueOf(a.get("mix")),
                    Integer.parseInt(a.get("bankWriters")), Integer.parseInt(a.get("bankReaders")),
                    Boolean.parseBoolean(a.get("naiveBank")));
        }
    }

    /** Entry point of the forked JVM: {@code Workload <report file> key=value...}. Exit code 0 when it ran. */
    public static void main(String[] args) throws Exception {
        Path reportFile = Path.of(args[0]);
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        Settings settings = Settings.fromArguments(rest);
        Report report = new Report();
        report.echoViolationsTo(System.out); // read back from the log if this JVM is killed (kill -9) midway
        run(settings, report);
        report.write(reportFile);
        System.out.println(settings.name() + ": " + report.summary());
        System.exit(0);
    }

    /** Runs the workload for the configured time and returns what it saw. */
    public static Report run(Settings settings) throws Exception {
        return run(settings, new Report());
    }

    /** Runs the workload for the configured time, counting in {@code report} as it goes; returns it. */
    public static Report run(Settings settings, Report report) throws Exception {
        try (Watermarks watermarks = Watermarks.open(settings.watermarks(), Schema.WATERMARK_SLOTS);
             Connection statsConnection = settings.target().cached(settings.cacheSettings())) {
            SqlCacheConnection sqlcache = statsConnection.unwrap(SqlCacheConnection.class);
            CacheStatistics before = sqlcache.statistics();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.seconds());
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < settings.writers(); i++) {
                SplittableRandom random = new SplittableRandom(settings.seed() * 1000 + i);
                threads.add(new Thread(() -> new Writer(settings, watermarks, report, random).run(deadline),
                        settings.name() + "-writer-" + i));
            }
            for (int i = 0; i < settings.readers(); i++) {
                SplittableRandom random = new SplittableRandom(settings.seed() * 1000 + 500 + i);
                threads.add(new Thread(() -> new Reader(settings, watermarks, report, random).run(deadline),
                        settings.name() + "-reader-" + i));
            }
            for (int i = 0; i < settings.bankWriters(); i++) {
                SplittableRandom random = new SplittableRandom(settings.seed() * 1000 + 200 + i);
                threads.add(new Thread(() -> new BankWriter(settings, report, random).run(deadline),
                        settings.name() + "-bank-writer-" + i));
            }
            for (int i = 0; i < settings.bankReaders(); i++) {
                SplittableRandom random = new SplittableRandom(settings.seed() * 1000 + 700 + i);
                threads.add(new Thread(() -> new BankReader(settings, report, random).run(deadline),
                        settings.name() + "-bank-reader-" + i));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) + 60_000;
                t.join(waitMillis);
                if (t.isAlive()) {
                    report.error(t.getName() + " still running 60 s after the deadline");
                    t.interrupt();
                }
            }
            CacheStatistics delta = sqlcache.statistics().since(before);
            report.add("cache.hits", delta.hits());
            report.add("cache.nearHits", delta.nearHits());
            report.add("cache.misses", delta.misses());
            report.add("cache.stores", delta.stores());
            report.add("cache.bypasses", delta.totalBypasses());
            report.add("cache.redisErrors", delta.redisErrors());
            report.add("cache.invalidations", delta.invalidations());
            report.add("cache.skippedWrites", delta.skippedWrites());
            delta.bypasses().forEach((reason, n) -> report.add("bypass." + reason, n));
        }
        return report;
    }

    /** A database error that is part of normal concurrency (deadlock, serialization failure, lock timeout). */
    static boolean isConflict(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("40") || state.equals("HYT00") || state.equals("55P03"))
                || e.getErrorCode() == 1213 || e.getErrorCode() == 1205;
    }

    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException ignored) {
            // the connection may be broken; its next statement will tell
        }
    }

    static String describe(Throwable e) {
        StringBuilder out = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        if (e instanceof SQLException s) {
            out.append(" (SQLState ").append(s.getSQLState()).append(')');
        }
        Throwable cause = e.getCause();
        if (cause != null && cause != e) {
            out.append(" caused by ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
        }
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().startsWith("dev.sqlcache")) {
                out.append(" at ").append(frame);
                break;
            }
        }
        return out.toString();
    }

    /** Heavily skewed towards small numbers: a hot set, so that hits happen. */
    static int skewed(SplittableRandom random, int n) {
        double u = random.nextDouble();
        return Math.min(n - 1, (int) (n * u * u * u));
    }

    // ------------------------------------------------------------------------------------------------ writers

    private static final class Writer {
        private final Settings settings;
        private final Watermarks watermarks;
        private final Report report;
        private final SplittableRandom random;
        private final InFlight inFlight;
        private final KeyedWrites keyed;

        Writer(Settings settings, Watermarks watermarks, Report report, SplittableRandom random) {
            this.settings = settings;
            this.watermarks = watermarks;
            this.report = report;
            this.random = random;
            this.inFlight = new InFlight(watermarks);
            this.keyed = new KeyedWrites(watermarks, inFlight, report, random);
        }

        void run(long deadline) {
            try (Connection tx = settings.target().cached(settings.cacheSettings());
                 Connection auto = settings.target().cached(settings.cacheSettings());
                 Connection raw = settings.target().raw()) {
                tx.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                tx.setAutoCommit(false);
                auto.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                auto.setAutoCommit(true);
                long ops = 0;
                while (System.nanoTime() < deadline && ops++ < settings.maxOperationsPerThread()) {
                    int op = random.nextInt(100);
                    try {
                        if (settings.mix() == Mix.KEYED) {
                            keyed.keyPinned(tx, auto);
                        } else if (random.nextInt(100) < 50) {
                            keyed.any(tx, auto);
                        } else if (op < 25) {
                            counterInTransaction(tx);
                        } else if (op < 40) {
                            counterAutoCommit(auto, raw);
                        } else if (op < 60) {
                            transferBetweenAccounts(tx);
                        } else if (op < 72) {
                            transferWithOwner(tx);
                        } else if (op < 80) {
                            poisonAndRollBack(tx);
                        } else {
                            lifeCycle(tx);
                        }
                        report.count("writes");
                    } catch (SQLException e) {
                        rollbackQuietly(tx);
                        if (isConflict(e)) {
                            // Rolled back by the database: nothing of it committed.
                            inFlight.land();
                            report.count("dbConflicts");
                        } else {
                            inFlight.abandon();
                            report.error(Thread.currentThread().getName() + ": " + describe(e));
                        }
                    } catch (RuntimeException e) {
                        rollbackQuietly(tx);
                        inFlight.abandon();
                        report.error(Thread.currentThread().getName() + ": " + describe(e));
                    }
                    pause();
                }
            } catch (SQLException | RuntimeException e) {
                report.error(Thread.currentThread().getName() + " could not run: " + describe(e));
            }
        }

        private void pause() {
            long micros = settings.writePauseMicros();
            if (micros > 0) {
                long jittered = micros / 2 + random.nextLong(micros);
                try {
                    TimeUnit.MICROSECONDS.sleep(jittered);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void counterInTransaction(Connection tx) throws SQLException {
            int id = skewed(random, Schema.COUNTERS);
            long floor = watermarks.get(Schema.counterSlot(id));
            inFlight.enter(Schema.counterSlot(id));
            update(tx, "UPDATE cc_counter SET val = val + 1 WHERE id = ?", id);
            long value = single(tx, "SELECT val FROM cc_counter WHERE id = ?", id);
            if (value < floor + 1 || value >= Schema.POISON) {
                report.violation("own-write-invisible", "counter " + id + " read " + value
                        + " inside the transaction that incremented it; committed before it began: " + floor);
            }
            tx.commit();
            watermarks.raise(Schema.counterSlot(id), value);
            inFlight.land();
        }

        private void counterAutoCommit(Connection auto, Connection raw) throws SQLException {
            int id = skewed(random, Schema.COUNTERS);
            inFlight.enter(Schema.counterSlot(id));
            update(auto, "UPDATE cc_counter SET val = val + 1 WHERE id = ?", id);
            // The statement committed when it returned; a direct read shows a committed value at least that new.
            watermarks.raise(Schema.counterSlot(id), single(raw, "SELECT val FROM cc_counter WHERE id = ?", id));
            inFlight.land();
        }

        private void transferBetweenAccounts(Connection tx) throws SQLException {
            int a = skewed(random, Schema.ACCOUNTS);
            int b = skewed(random, Schema.ACCOUNTS);
            if (a == b) {
                b = (a + 1) % Schema.ACCOUNTS;
            }
            long amount = 1 + random.nextInt(50);
            int first = Math.min(a, b);
            int second = Math.max(a, b);
            inFlight.enter(Schema.accountSlot(first), Schema.accountSlot(second));
            moveAccount(tx, first, first == a ? -amount : amount);
            moveAccount(tx, second, second == a ? -amount : amount);
            long v1 = single(tx, "SELECT ver FROM cc_account WHERE id = ?", first);
            long v2 = single(tx, "SELECT ver FROM cc_account WHERE id = ?", second);
            tx.commit();
            watermarks.raise(Schema.accountSlot(first), v1);
            watermarks.raise(Schema.accountSlot(second), v2);
            inFlight.land();
        }

        private void transferWithOwner(Connection tx) throws SQLException {
            int account = skewed(random, Schema.ACCOUNTS);
            int owner = random.nextBoolean() ? Schema.ownerOf(account) : random.nextInt(Schema.OWNERS);
            long amount = random.nextInt(101) - 50;
            inFlight.enter(Schema.ownerSlot(owner), Schema.accountSlot(account));
            // Owners first, then accounts: one lock order for every transaction, so no deadlocks.
            try (PreparedStatement p = tx.prepareStatement(
                    "UPDATE cc_owner SET balance = balance + ?, ver = ver + 1 WHERE id = ?")) {
                p.setLong(1, amount);
                p.setInt(2, owner);
                p.executeUpdate();
            }
            moveAccount(tx, account, -amount);
            long ownerVersion = single(tx, "SELECT ver FROM cc_owner WHERE id = ?", owner);
            long accountVersion = single(tx, "SELECT ver FROM cc_account WHERE id = ?", account);
            tx.commit();
            watermarks.raise(Schema.ownerSlot(owner), ownerVersion);
            watermarks.raise(Schema.accountSlot(account), accountVersion);
            inFlight.land();
        }

        private void moveAccount(Connection tx, int account, long amount) throws SQLException {
            try (PreparedStatement p = tx.prepareStatement(
                    "UPDATE cc_account SET balance = balance + ?, ver = ver + 1 WHERE id = ?")) {
                p.setLong(1, amount);
                p.setInt(2, account);
                p.executeUpdate();
            }
        }

        /** Writes values no committed state ever has, reads them back (own writes), then rolls back. */
        private void poisonAndRollBack(Connection tx) throws SQLException {
            int id = skewed(random, Schema.COUNTERS);
            update(tx, "UPDATE cc_counter SET val = val + " + Schema.POISON + " WHERE id = ?", id);
            long seen = single(tx, "SELECT val FROM cc_counter WHERE id = ?", id);
            if (seen < Schema.POISON) {
                report.violation("own-write-invisible", "counter " + id + " read " + seen
                        + " inside the transaction that added " + Schema.POISON + " to it");
            }
            int account = skewed(random, Schema.ACCOUNTS);
            moveAccount(tx, account, 7777);
            try (Statement s = tx.createStatement();
                 ResultSet rs = s.executeQuery(Reader.TOTALS_SQL)) {
                rs.next();
                if (rs.getLong(1) != Schema.TOTAL + 7777) {
                    report.violation("own-write-invisible", "totals read " + rs.getLong(1)
                            + " inside a transaction that added 7777 to account " + account);
                }
            }
            tx.rollback();
        }

        /** Deletes the parent (children go by ON DELETE CASCADE) or re-creates it with its children. */
        private void lifeCycle(Connection tx) throws SQLException {
            int id = skewed(random, Schema.SLOTS);
            inFlight.enter(Schema.lifeSlot(id));
            update(tx, "UPDATE cc_slot SET life = life + 1 WHERE id = ?", id);
            long life = single(tx, "SELECT life FROM cc_slot WHERE id = ?", id);
            if (life % 2 == 0) {
                update(tx, "DELETE FROM cc_parent WHERE id = ?", id);
            } else {
                try (PreparedStatement p = tx.prepareStatement("INSERT INTO cc_parent (id, life) VALUES (?, ?)")) {
                    p.setInt(1, id);
                    p.setLong(2, life);
                    p.executeUpdate();
                }
                try (PreparedStatement p = tx.prepareStatement(
                        "INSERT INTO cc_child (id, parent_id, gen) VALUES (?, ?, ?)")) {
                    for (int k = 0; k < Schema.CHILDREN; k++) {
                        p.setInt(1, Schema.childId(id, k));
                        p.setInt(2, id);
                        p.setLong(3, life);
                        p.executeUpdate();
                    }
                }
            }
            tx.commit();
            watermarks.raise(Schema.lifeSlot(id), life);
            inFlight.land();
        }

        private static void update(Connection c, String sql, int id) throws SQLException {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setInt(1, id);
                if (p.executeUpdate() != 1) {
                    throw new SQLException("expected one row from " + sql + " for " + id);
                }
            }
        }
    }

    static long single(Connection c, String sql, int id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setInt(1, id);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no row from " + sql + " for " + id);
                }
                return rs.getLong(1);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ readers

    static final class Reader {
        static final String TOTALS_SQL = "SELECT SUM(b), SUM(v) FROM (SELECT balance AS b, ver AS v FROM cc_account "
                + "UNION ALL SELECT balance AS b, ver AS v FROM cc_owner) t";

        private final Settings settings;
        private final Watermarks watermarks;
        private final Report report;
        private final SplittableRandom random;
        private final Verdicts verdicts;
        private final KeyedReads keyed;

        Reader(Settings settings, Watermarks watermarks, Report report, SplittableRandom random) {
            this.settings = settings;
            this.watermarks = watermarks;
            this.report = report;
            this.random = random;
            this.verdicts = new Verdicts(report);
            this.keyed = new KeyedReads(settings.target(), report, verdicts, random);
        }

        void run(long deadline) {
            try (Connection auto = settings.target().cached(settings.cacheSettings());
                 Connection rc = settings.target().cached(settings.cacheSettings());
                 Connection rr = settings.target().cached(settings.cacheSettings())) {
                auto.setAutoCommit(true);
                rc.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                rc.setAutoCommit(false);
                rr.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                rr.setAutoCommit(false);
                long ops = 0;
                while (System.nanoTime() < deadline && ops < settings.maxOperationsPerThread()) {
                    int mode = random.nextInt(100);
                    try {
                        if (mode < 80) {
                            readOnce(auto, Floor.copy(watermarks), "auto-commit");
                            ops++;
                        } else if (mode < 95) {
                            // READ COMMITTED: every statement sees what was committed before it started.
                            for (int i = 0; i < 4; i++) {
                                readOnce(rc, Floor.copy(watermarks), "read-committed");
                                ops++;
                            }
                            rc.commit();
                        } else {
                            // REPEATABLE READ: the snapshot is taken at the first statement, after this copy.
                            Floor floor = Floor.copy(watermarks);
                            for (int i = 0; i < 3; i++) {
                                readOnce(rr, floor, "repeatable-read");
                                ops++;
                            }
                            rr.commit();
                        }
                    } catch (SQLException e) {
                        rollbackQuietly(rc);
                        rollbackQuietly(rr);
                        if (isConflict(e)) {
                            report.count("dbConflicts");
                        } else {
                            report.error(Thread.currentThread().getName() + ": " + describe(e));
                        }
                    } catch (RuntimeException e) {
                        rollbackQuietly(rc);
                        rollbackQuietly(rr);
                        report.error(Thread.currentThread().getName() + ": " + describe(e));
                    }
                }
            } catch (SQLException | RuntimeException e) {
                report.error(Thread.currentThread().getName() + " could not run: " + describe(e));
            }
        }

        void readOnce(Connection c, Floor floor, String mode) throws SQLException {
            report.count("reads");
            if (settings.mix() == Mix.KEYED) {
                keyed.keyPinned(c, floor, mode);
                return;
            }
            if (random.nextInt(100) < 50) {
                keyed.any(c, floor, mode);
                return;
            }
            int kind = random.nextInt(100);
            if (kind < 22) {
                counter(c, floor, mode, true);
            } else if (kind < 32) {
                counter(c, floor, mode, false);
            } else if (kind < 47) {
                account(c, floor, mode);
            } else if (kind < 57) {
                ownerJoin(c, floor, mode);
            } else if (kind < 64) {
                totals(c, floor, mode);
            } else if (kind < 70) {
                groupedTotals(c, floor, mode);
            } else if (kind < 82) {
                children(c, floor, mode);
            } else if (kind < 90) {
                parent(c, floor, mode);
            } else {
                parentJoin(c, floor, mode);
            }
        }

        private void counter(Connection c, Floor floor, String mode, boolean prepared) throws SQLException {
            int id = skewed(random, Schema.COUNTERS);
            long value;
            if (prepared) {
                try (PreparedStatement p = c.prepareStatement("SELECT val FROM cc_counter WHERE id = ?")) {
                    p.setInt(1, id);
                    try (ResultSet rs = p.executeQuery()) {
                        verdicts.served(rs, "counter");
                        if (!rs.next()) {
                            throw new SQLException("counter " + id + " missing");
                        }
                        value = rs.getLong(1);
                    }
                }
            } else {
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT val FROM cc_counter WHERE id = " + id)) {
                    verdicts.served(rs, "counter");
                    if (!rs.next()) {
                        throw new SQLException("counter " + id + " missing");
                    }
                    value = rs.getLong(1);
                }
            }
            long expected = floor.get(Schema.counterSlot(id));
            if (value >= Schema.POISON) {
                verdicts.violation("uncommitted-read", mode + " counter " + id + " = " + value
                        + ": a value only a rolled-back transaction wrote");
            } else if (value < expected) {
                verdicts.violation("stale-counter", mode + (prepared ? " prepared" : " plain") + " counter " + id
                        + " = " + value + " but " + expected + " was committed before the read started");
            }
        }

        private void account(Connection c, Floor floor, String mode) throws SQLException {
            int id = skewed(random, Schema.ACCOUNTS);
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT balance, ver, owner_id FROM cc_account WHERE id = ?")) {
                p.setInt(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    verdicts.served(rs, "account");
                    if (!rs.next()) {
                        throw new SQLException("account " + id + " missing");
                    }
                    long ver = rs.getLong(2);
                    if (ver < floor.get(Schema.accountSlot(id))) {
                        verdicts.violation("stale-account", mode + " account " + id + " ver " + ver + " but "
                                + floor.get(Schema.accountSlot(id)) + " was committed before the read started");
                    }
                    if (rs.getLong(1) > Schema.POISON / 2) {
                        verdicts.violation("uncommitted-read", mode + " account " + id + " balance " + rs.getLong(1));
                    }
                }
            }
        }

        private void ownerJoin(Connection c, Floor floor, String mode) throws SQLException {
            int owner = skewed(random, Schema.OWNERS);
            int rows = 0;
            try (PreparedStatement p = c.prepareStatement("SELECT a.id, a.ver, o.ver FROM cc_account a "
                    + "JOIN cc_owner o ON o.id = a.owner_id WHERE o.id = ? ORDER BY a.id")) {
                p.setInt(1, owner);
                try (ResultSet rs = p.executeQuery()) {
                    verdicts.served(rs, "owner-join");
                    while (rs.next()) {
                        rows++;
                        int account = rs.getInt(1);
                        if (rs.getLong(2) < floor.get(Schema.accountSlot(account))) {
                            verdicts.violation("stale-join", mode + " owner " + owner + " join: account " + account
                                    + " ver " + rs.getLong(2) + " < committed " + floor.get(Schema.accountSlot(account)));
                        }
                        if (rs.getLong(3) < floor.get(Schema.ownerSlot(owner))) {
                            verdicts.violation("stale-join", mode + " owner " + owner + " join: owner ver "
                                    + rs.getLong(3) + " < committed " + floor.get(Schema.ownerSlot(owner)));
                        }
                    }
                }
            }
            if (rows != Schema.ACCOUNTS / Schema.OWNERS) {
                verdicts.violation("broken-join", mode + " owner " + owner + " join returned " + rows + " rows");
            }
        }

        private void totals(Connection c, Floor floor, String mode) throws SQLException {
            long minimumVersions = 0;
            for (int i = 0; i < Schema.ACCOUNTS; i++) {
                minimumVersions += floor.get(Schema.accountSlot(i));
            }
            for (int i = 0; i < Schema.OWNERS; i++) {
                minimumVersions += floor.get(Schema.ownerSlot(i));
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(TOTALS_SQL)) {
                verdicts.served(rs, "totals");
                rs.next();
                long total = rs.getLong(1);
                long versions = rs.getLong(2);
                if (total != Schema.TOTAL) {
                    verdicts.violation("invariant", mode + " sum of balances over cc_account and cc_owner = " + total
                            + ", expected " + Schema.TOTAL);
                }
                if (versions < minimumVersions) {
                    verdicts.violation("stale-aggregate", mode + " sum of versions " + versions
                            + " < sum committed before the read " + minimumVersions);
                }
            }
        }

        private void groupedTotals(Connection c, Floor floor, String mode) throws SQLException {
            long sum = 0;
            int rows = 0;
            try (PreparedStatement p = c.prepareStatement("SELECT o.id, o.balance + SUM(a.balance) FROM cc_owner o "
                    + "JOIN cc_account a ON a.owner_id = o.id GROUP BY o.id, o.balance ORDER BY o.id");
                 ResultSet rs = p.executeQuery()) {
                verdicts.served(rs, "grouped-totals");
                while (rs.next()) {
                    rows++;
                    sum += rs.getLong(2);
                }
            }
            if (sum != Schema.TOTAL || rows != Schema.OWNERS) {
                verdicts.violation("invariant", mode + " grouped join total " + sum + " over " + rows
                        + " owners, expected " + Schema.TOTAL + " over " + Schema.OWNERS);
            }
        }

        /** Children of a parent: none, or all {@link Schema#CHILDREN} of one generation no older than committed. */
        private void children(Connection c, Floor floor, String mode) throws SQLException {
            int parent = skewed(random, Schema.SLOTS);
            List<Long> generations = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT id, gen FROM cc_child WHERE parent_id = ? ORDER BY id")) {
                p.setInt(1, parent);
                try (ResultSet rs = p.executeQuery()) {
                    verdicts.served(rs, "children");
                    while (rs.next()) {
                        generations.add(rs.getLong(2));
                    }
                }
            }
            checkFamily(parent, -1, generations, floor, mode + " children");
        }

        private void parent(Connection c, Floor floor, String mode) throws SQLException {
            int parent = skewed(random, Schema.SLOTS);
            long committed = floor.get(Schema.lifeSlot(parent));
            try (PreparedStatement p = c.prepareStatement("SELECT life FROM cc_parent WHERE id = ?")) {
                p.setInt(1, parent);
                try (ResultSet rs = p.executeQuery()) {
                    verdicts.served(rs, "parent");
                    if (rs.next()) {
                        checkLife(parent, rs.getLong(1), committed, mode + " parent");
                    } else {
                        checkGone(parent, floor, mode + " parent");
                    }
                }
            }
            long life;
            try (PreparedStatement p = c.prepareStatement("SELECT life FROM cc_slot WHERE id = ?")) {
                p.setInt(1, parent);
                try (ResultSet rs = p.executeQuery()) {
                    verdicts.served(rs, "slot");
                    if (!rs.next()) {
                        throw new SQLException("slot " + parent + " missing");
                    }
                    life = rs.getLong(1);
                }
            }
            if (life < committed) {
                verdicts.violation("stale-slot", mode + " slot " + parent + " life " + life + " < committed " + committed);
            }
        }

        private void parentJoin(Connection c, Floor floor, String mode) throws SQLException {
            int parent = skewed(random, Schema.SLOTS);
            long life = -1;
            List<Long> generations = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT p.life, c.gen FROM cc_parent p "
                    + "JOIN cc_child c ON c.parent_id = p.id WHERE p.id = ? ORDER BY c.id")) {
                p.setInt(1, parent);
                try (ResultSet rs = p.executeQuery()) {
                    verdicts.served(rs, "parent-join");
                    while (rs.next()) {
                        life = rs.getLong(1);
                        generations.add(rs.getLong(2));
                    }
                }
            }
            checkFamily(parent, life, generations, floor, mode + " parent join");
        }

        private void checkFamily(int parent, long life, List<Long> generations, Floor floor, String what) {
            long committed = floor.get(Schema.lifeSlot(parent));
            if (generations.isEmpty()) {
                checkGone(parent, floor, what);
                return;
            }
            long gen = generations.get(0);
            if (generations.size() != Schema.CHILDREN || generations.stream().anyMatch(g -> g != gen)
                    || (life >= 0 && life != gen)) {
                verdicts.violation("broken-family", what + " of parent " + parent + ": life " + life
                        + ", generations " + generations);
                return;
            }
            checkLife(parent, gen, committed, what);
        }

        /**
         * Nothing found: right if a delete may have committed since the copy (it may not have returned yet), wrong if
         * the parent existed in the copy and nothing was written since.
         */
        private void checkGone(int parent, Floor floor, String what) {
            long committed = floor.get(Schema.lifeSlot(parent));
            if (committed % 2 == 1 && floor.exact(Schema.lifeSlot(parent))) {
                verdicts.violation(what.contains("children") ? "missing-children" : "missing-parent", what
                        + " of parent " + parent + ": none, but life " + committed + " (re-created) was committed "
                        + "before the read started and nothing was written since");
            }
        }

        /** Life n (odd) exists; a committed life {@code committed} means no life before it may be seen. */
        private void checkLife(int parent, long life, long committed, String what) {
            boolean deletedAtCommitted = committed % 2 == 0;
            if (life < committed || (deletedAtCommitted && life == committed) || life % 2 == 0) {
                verdicts.violation(what.contains("children") ? "stale-cascade" : "stale-parent", what + " of parent " + parent + " show life " + life
                        + ", but life " + committed + (deletedAtCommitted ? " (parent deleted, children by ON DELETE "
                        + "CASCADE)" : " (re-created)") + " was committed before the read started");
            }
        }
    }

    private Workload() {
    }
}
