package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.analysis.ColumnPin;
import dev.sqlcache.internal.analysis.QueryAnalysis;
import dev.sqlcache.internal.analysis.StatementKind;
import dev.sqlcache.internal.key.BoundParameters;
import dev.sqlcache.internal.membership.MembershipStore;
import dev.sqlcache.internal.store.CacheStore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one place that decides which version keys a read depends on and a write bumps.
 *
 * <p>Every table {@code T} has three tokens: {@code T} (every write to it bumps it; reads that are not key-pinned
 * depend on it), {@code T:rows} (bumped by every write that may change rows it cannot name: an update or delete by
 * any other filter, a key update, a truncate, DDL...) and {@code T:inserts} (bumped by every write that may create
 * a key: an insert, an upsert, a key update). A read that pins T's whole primary key ({@link RowKeys}) depends on
 * T's rows and inserts tokens and on one token per key it pins ({@code T:k:<hash>}) instead of T's token: a key it
 * did not find may be created by an insert, and the rows token covers every write that cannot name its rows. A
 * write that pins T's whole primary key, and does not assign a key column, bumps T's token and its keys' tokens
 * only: answers that depend on the table as a whole (aggregates, ranges, other filters, joins) still change, other
 * rows' key-pinned answers do not. Everything else is table-level as before: T, T:rows and T:inserts.
 *
 * <p>Each statement's layout is resolved once per plan and schema epoch; an execution only adds its keys' tokens.
 */
final class Dependencies {

    private final CacheEngine engine;
    private final RowKeys rowKeys;

    Dependencies(CacheEngine engine, RowKeys rowKeys) {
        this.engine = engine;
        this.rowKeys = rowKeys;
    }

    /**
     * The version keys of one read execution, with what a lookup must do when each is missing.
     *
     * @param encoded   the version keys' UTF-8, each the bytes of the key at its index or {@code null} where the
     *                  store encodes it itself (a row key: made per execution, and a read served from a near copy
     *                  never needs its bytes). The layout's keys are encoded once, not on every lookup: they were
     *                  most of the bytes a Redis hit allocated for its command arguments (docs/performance.md)
     * @param feedIndex where the change feed's key stands among them, or -1 when the read does not depend on it
     */
    record ReadKeys(String[] versionKeys, byte[][] encoded, long[] creation, int keyLevelTables, int feedIndex) {
    }

    /** How a plan's reads depend on its tables, resolved from schema facts in one schema epoch. */
    static final class ReadLayout {
        final long epoch;
        /** The change feed's key the layout was made with (null: none), so that a change makes a new layout. */
        final String feed;
        final boolean plainTables;
        final ReadKeys tableLevel;
        final ReadKeys fixed;
        final RowKeys.KeyPlan[] keyed;

        ReadLayout(long epoch, String feed, boolean plainTables, ReadKeys tableLevel, ReadKeys fixed,
                   RowKeys.KeyPlan[] keyed) {
            this.epoch = epoch;
            this.feed = feed;
            this.plainTables = plainTables;
            this.tableLevel = tableLevel;
            this.fixed = fixed;
            this.keyed = keyed;
        }
    }

    /**
     * The read layout of a plan: whether it reads plain tables only, and its version keys.
     *
     * @return null when facts could not be learned now (not cached; asked again next time)
     */
    ReadLayout readLayout(QueryPlan plan, SchemaInspector inspector) {
        long epoch = engine.schemaEpoch();
        String feed = engine.feedDependency();
        ReadLayout known = plan.readLayout();
        if (known != null && known.epoch == epoch && java.util.Objects.equals(known.feed, feed)) {
            return known;
        }
        QueryAnalysis analysis = plan.analysis();
        boolean plain = true;
        boolean certain = true;
        List<String> keys = new ArrayList<>();
        keys.add(MembershipStore.FENCE_KEY);
        keys.add(engine.databaseVersionKey());
        keys.add(engine.sequenceKey());
        List<RowKeys.KeyPlan> keyed = new ArrayList<>();
        Set<String> tableLevel = new LinkedHashSet<>();
        for (String table : analysis.tablesRead()) {
            TableFacts facts = engine.facts(table, inspector);
            certain &= facts != TableFacts.UNKNOWN;
            plain &= facts.plainTable();
            String base = CacheEngine.baseName(table);
            List<ColumnPin> pins = analysis.keyPins().get(table);
            RowKeys.KeyPlan keyPlan = rowKeys.plan(base, pins, facts.primaryKey());
            if (keyPlan != null) {
                keyed.add(keyPlan);
            } else {
                tableLevel.add(base);
            }
        }
        Set<String> fixedTokens = new LinkedHashSet<>();
        for (String base : tableLevel) {
            fixedTokens.add(engine.versionKey(base));
        }
        for (RowKeys.KeyPlan keyPlan : keyed) {
            fixedTokens.add(engine.rowsKey(keyPlan.table));
            fixedTokens.add(engine.insertsKey(keyPlan.table));
        }
        keys.addAll(fixedTokens);
        int feedIndex = -1;
        if (feed != null) {
            // With a change feed every table of the database is covered: entries depend on the feed's key, which
            // lives only while the feed has applied the database's commits up to sqlcache.changeFeed.maxLag ago.
            feedIndex = keys.size();
            keys.add(feed);
        }
        ReadLayout layout = new ReadLayout(epoch, feed, plain, readKeys(plan.readVersionKeys(), 0, -1),
                readKeys(keys.toArray(String[]::new), keyed.size(), feedIndex),
                keyed.toArray(RowKeys.KeyPlan[]::new));
        if (certain) {
            plan.readLayout(layout);
        }
        return layout;
    }

    private static ReadKeys readKeys(String[] keys, int keyLevelTables, int feedIndex) {
        long[] creation = new long[keys.length];
        Arrays.fill(creation, CacheStore.NO_EXPIRY);
        creation[CacheEngine.FENCE_INDEX] = CacheStore.NEVER_CREATE;
        if (feedIndex >= 0) {
            // Only the feed creates its key, after it has applied a heartbeat.
            creation[feedIndex] = CacheStore.NEVER_CREATE;
        }
        byte[][] encoded = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            encoded[i] = keys[i].getBytes(StandardCharsets.UTF_8);
        }
        return new ReadKeys(keys, encoded, creation, keyLevelTables, feedIndex);
    }

    /** The version keys of one execution of a read: its row keys' tokens added to the layout's, when it has any. */
    ReadKeys readKeys(ReadLayout layout, BoundParameters parameters) {
        if (layout.keyed.length == 0) {
            return layout.fixed;
        }
        if (layout.keyed.length == 1 && layout.keyed[0].single) {
            return singleRow(layout, parameters);
        }
        String[] fixed = layout.fixed.versionKeys();
        // Arrays, not lists of boxed numbers: this runs on every hit of a statement that pins a key.
        String[][] rows = new String[layout.keyed.length][];
        int total = fixed.length;
        for (int t = 0; t < rows.length; t++) {
            rows[t] = rowKeys.rowVersionKeys(layout.keyed[t], parameters);
            total += rows[t] == null ? 1 : rows[t].length;
        }
        String[] keys = Arrays.copyOf(fixed, total);
        long[] created = Arrays.copyOf(layout.fixed.creation(), total);
        int at = fixed.length;
        int keyLevel = 0;
        for (int t = 0; t < rows.length; t++) {
            RowKeys.KeyPlan keyPlan = layout.keyed[t];
            if (rows[t] == null) {
                // This execution names its keys with values that are not exact: the table's token covers it.
                keys[at] = engine.versionKey(keyPlan.table);
                created[at++] = CacheStore.NO_EXPIRY;
            } else {
                keyLevel++;
                long ttl = engine.rowTokenTtlMillis(keyPlan.table);
                for (String row : rows[t]) {
                    keys[at] = row;
                    created[at++] = ttl;
                }
            }
        }
        // The layout's keys keep their bytes; the row keys' are left null, for the store to encode if it asks.
        return new ReadKeys(keys, Arrays.copyOf(layout.fixed.encoded(), total), created, keyLevel,
                layout.fixed.feedIndex());
    }

    /**
     * {@link #readKeys(ReadLayout, BoundParameters)} of a primary-key lookup (one table, one key column, one value):
     * the layout's keys and the row's, whose UTF-8 is kept beside its text so that the store sends it as it is.
     */
    private ReadKeys singleRow(ReadLayout layout, BoundParameters parameters) {
        RowKeys.KeyPlan keyPlan = layout.keyed[0];
        byte[] row = rowKeys.singleRowKey(keyPlan, parameters);
        ReadKeys fixed = layout.fixed;
        int at = fixed.versionKeys().length;
        String[] keys = Arrays.copyOf(fixed.versionKeys(), at + 1);
        long[] created = Arrays.copyOf(fixed.creation(), at + 1);
        byte[][] encoded = Arrays.copyOf(fixed.encoded(), at + 1);
        if (row == null) {
            // This execution names its key with a value that is not exact: the table's token covers it.
            keys[at] = engine.versionKey(keyPlan.table);
            created[at] = CacheStore.NO_EXPIRY;
            return new ReadKeys(keys, encoded, created, 0, fixed.feedIndex());
        }
        keys[at] = RowKeys.text(row);
        encoded[at] = row;
        created[at] = engine.rowTokenTtlMillis(keyPlan.table);
        return new ReadKeys(keys, encoded, created, 1, fixed.feedIndex());
    }

    /** How a plan's writes bump version keys, resolved in one schema epoch. */
    static final class WriteLayout {
        final long epoch;
        final String[] fixed;
        final RowKeys.KeyPlan keyed;
        /** The fixed keys, and the keyed table's rows token standing for its row tokens: the same tables. */
        final String[] tables;

        WriteLayout(long epoch, String[] fixed, RowKeys.KeyPlan keyed, String rowsKey) {
            this.epoch = epoch;
            this.fixed = fixed;
            this.keyed = keyed;
            if (keyed == null) {
                this.tables = fixed;
            } else {
                this.tables = Arrays.copyOf(fixed, fixed.length + 1);
                this.tables[fixed.length] = rowsKey;
            }
        }

        WriteLayout(long epoch, String[] fixed) {
            this(epoch, fixed, null, null);
        }
    }

    /**
     * The version keys of the tables one execution of a write may change, row tokens left out (each belongs to its
     * table, which its rows token stands for here): what decides whether the write may skip its invalidation, with
     * no row key built (each is hashed from the bound values). Not for leasing.
     */
    String[] writeTables(QueryPlan plan, SchemaInspector inspector) {
        return writeLayout(plan, inspector).tables;
    }

    /** The version keys one execution of a write bumps. */
    String[] writeKeys(QueryPlan plan, BoundParameters parameters, SchemaInspector inspector) {
        WriteLayout layout = writeLayout(plan, inspector);
        if (layout.keyed == null) {
            return layout.fixed;
        }
        String[] rows = parameters == null && needsParameters(layout.keyed) ? null
                : rowKeys.rowVersionKeys(layout.keyed, parameters);
        String[] keys = Arrays.copyOf(layout.fixed, layout.fixed.length + (rows == null ? 1 : rows.length));
        if (rows == null) {
            // Keys not named exactly: a write to any of the table's rows.
            keys[layout.fixed.length] = layout.tables[layout.fixed.length];
        } else {
            System.arraycopy(rows, 0, keys, layout.fixed.length, rows.length);
        }
        return keys;
    }

    private static boolean needsParameters(RowKeys.KeyPlan plan) {
        for (List<dev.sqlcache.internal.analysis.KeySource> sources : plan.sources) {
            for (dev.sqlcache.internal.analysis.KeySource source : sources) {
                if (!(source instanceof dev.sqlcache.internal.analysis.KeySource.Literal)) {
                    return true;
                }
            }
        }
        return false;
    }

    private WriteLayout writeLayout(QueryPlan plan, SchemaInspector inspector) {
        QueryAnalysis analysis = plan.analysis();
        StatementKind kind = analysis.kind();
        if (kind == StatementKind.DDL || kind == StatementKind.CALL || plan.writesEverything()) {
            // DDL: its tables as a whole (or the database); a procedure: what the configuration declares it writes
            // (the text names no table), or the database.
            return new WriteLayout(0, plan.writeVersionKeys());
        }
        String normalized = analysis.normalizedSql();
        if (kind == StatementKind.TRUNCATE && (normalized == null || normalized.contains("cascade"))) {
            // PostgreSQL's TRUNCATE ... CASCADE empties every referencing table, whatever its foreign key rules.
            return new WriteLayout(0, new String[] {engine.databaseVersionKey()});
        }
        long epoch = engine.schemaEpoch();
        WriteLayout known = plan.writeLayout();
        if (known != null && known.epoch == epoch) {
            return known;
        }
        Set<String> keys = new LinkedHashSet<>();
        boolean certain = true;
        RowKeys.KeyPlan keyed = null;
        boolean onlyTable = analysis.tablesWritten().size() == 1;
        for (String table : analysis.tablesWritten()) {
            TableFacts facts = engine.facts(table, inspector);
            certain &= facts != TableFacts.UNKNOWN;
            String base = CacheEngine.baseName(table);
            if (facts.hasTriggers()) {
                var declared = engine.config().triggerWrites().tablesFor(table);
                if (declared.isEmpty()) {
                    WriteLayout everything = new WriteLayout(epoch, new String[] {engine.databaseVersionKey()});
                    if (certain) {
                        plan.writeLayout(everything);
                    }
                    return everything;
                }
                for (String target : declared.get()) {
                    addTableLevel(keys, CacheEngine.baseName(target));
                }
            }
            keys.add(engine.versionKey(base));
            boolean assignsKey = assignsKey(analysis, facts);
            switch (kind) {
                case UPDATE, DELETE -> {
                    RowKeys.KeyPlan rows = onlyTable && !assignsKey
                            ? rowKeys.plan(base, analysis.keyPins().get(table), facts.primaryKey()) : null;
                    if (rows != null) {
                        keyed = rows;
                    } else {
                        keys.add(engine.rowsKey(base));
                    }
                    if (assignsKey) {
                        keys.add(engine.insertsKey(base));
                    }
                }
                case INSERT -> {
                    keys.add(engine.insertsKey(base));
                    if (analysis.upsert()) {
                        keys.add(engine.rowsKey(base));
                    }
                }
                default -> addTableLevel(keys, base);
            }
            for (String dependent : facts.changedWith(kind, assignedOrNull(analysis), analysis.upsert())) {
                addTableLevel(keys, dependent);
            }
        }
        WriteLayout layout = new WriteLayout(epoch, keys.toArray(String[]::new), keyed,
                keyed == null ? null : engine.rowsKey(keyed.table));
        if (certain) {
            plan.writeLayout(layout);
        }
        return layout;
    }

    /**
     * Why a write invalidates what it does, in words for its DEBUG line: the whole database and the reason, or the
     * tables it names and what else it reaches. Computed only when that line is logged; it reads the same
     * remembered facts as {@link #writeKeys}.
     */
    String whyWrites(QueryPlan plan, SchemaInspector inspector) {
        QueryAnalysis analysis = plan.analysis();
        StatementKind kind = analysis.kind();
        if (kind == StatementKind.CALL) {
            return plan.writesEverything()
                    ? "whole database: what the procedure writes is unknown (sqlcache.procedureWrites can declare it)"
                    : "the tables sqlcache.procedureWrites declares for " + analysis.routine();
        }
        if (plan.writesEverything()) {
            if (analysis.bypassReason() == dev.sqlcache.stats.BypassReason.MULTIPLE_STATEMENTS) {
                return "whole database: a statement of several is not understood";
            }
            if (kind == StatementKind.UNKNOWN) {
                return "whole database: the statement cannot be parsed and its target is not certain";
            }
            return "whole database: the tables this " + kind + " writes are unknown";
        }
        if (kind == StatementKind.DDL) {
            return "its tables as a whole: DDL";
        }
        String normalized = analysis.normalizedSql();
        if (kind == StatementKind.TRUNCATE && (normalized == null || normalized.contains("cascade"))) {
            return "whole database: TRUNCATE ... CASCADE empties every referencing table";
        }
        Set<String> reached = new java.util.TreeSet<>();
        Set<String> declared = new java.util.TreeSet<>();
        for (String table : analysis.tablesWritten()) {
            TableFacts facts = engine.facts(table, inspector);
            if (facts.hasTriggers()) {
                var writes = engine.config().triggerWrites().tablesFor(table);
                if (writes.isEmpty()) {
                    if (facts == TableFacts.UNKNOWN) {
                        return "whole database: the database's metadata says nothing about table " + table;
                    }
                    if (!engine.family().listsTriggers()) {
                        return "whole database: this database's triggers cannot be listed"
                                + " (sqlcache.triggerWrites can declare what they write)";
                    }
                    return "whole database: a trigger on " + table + " may write any table"
                            + " (sqlcache.triggerWrites can declare what it writes)";
                }
                declared.addAll(writes.get());
            }
            reached.addAll(facts.changedWith(kind, assignedOrNull(analysis), analysis.upsert()));
        }
        StringBuilder why = new StringBuilder("the tables it writes ").append(new java.util.TreeSet<>(analysis.tablesWritten()));
        WriteLayout layout = plan.writeLayout();
        if (layout != null && layout.keyed != null) {
            why.append(", by primary key");
        }
        if (!reached.isEmpty()) {
            why.append(", and what foreign key actions or inheritance reach ").append(reached);
        }
        if (!declared.isEmpty()) {
            why.append(", and what sqlcache.triggerWrites declares ").append(declared);
        }
        return why.toString();
    }

    /** The columns an UPDATE (or an upsert's update) assigns, or null when the analysis could not tell. */
    private static Set<String> assignedOrNull(QueryAnalysis analysis) {
        return analysis.kind() == StatementKind.UPDATE && analysis.assignedColumns().isEmpty() ? null
                : analysis.assignedColumns();
    }

    /** Whether an UPDATE (or an upsert's update) may change a key column: then rows may get new keys. */
    private static boolean assignsKey(QueryAnalysis analysis, TableFacts facts) {
        if (analysis.kind() != StatementKind.UPDATE && !analysis.upsert()) {
            return false;
        }
        Set<String> assigned = assignedOrNull(analysis);
        if (assigned == null || facts.primaryKey().isEmpty()) {
            return true;
        }
        for (TableFacts.KeyColumn column : facts.primaryKey()) {
            if (assigned.contains(column.name())) {
                return true;
            }
        }
        return false;
    }

    private void addTableLevel(Set<String> keys, String base) {
        keys.add(engine.versionKey(base));
        keys.add(engine.rowsKey(base));
        keys.add(engine.insertsKey(base));
    }
}
