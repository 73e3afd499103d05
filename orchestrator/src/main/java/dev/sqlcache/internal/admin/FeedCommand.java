package dev.sqlcache.internal.admin;

import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.engine.DatabaseIdentity;
import dev.sqlcache.internal.feed.FeedSlots;
import dev.sqlcache.internal.feed.FeedStore;
import dev.sqlcache.internal.store.CacheStore;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code feed}: the PostgreSQL change feed's replication slots of a database ({@code sqlcache.changeFeed}), with
 * which one this Redis deployment's JVMs use, who consumes it, and how much WAL each keeps; {@code --drop} removes
 * one (a slot nobody consumes keeps WAL until it is dropped or {@code max_slot_wal_keep_size} cuts it off).
 */
@Command(name = "feed", mixinStandardHelpOptions = true,
        description = "Show the change feed's replication slots of a PostgreSQL database, or drop one.")
final class FeedCommand extends AdminCommand {

    @Option(names = "--url", required = true, paramLabel = "JDBC-URL",
            description = "the application's JDBC URL, real (jdbc:postgresql://db/app) or jdbc:sqlcache:...")
    String url;

    @Option(names = "--database-id", paramLabel = "ID", description = "the application's sqlcache.databaseId, if any")
    String databaseId;

    @Option(names = "--db-user", paramLabel = "USER", description = "the database user (else the URL's)")
    String user;

    @Option(names = "--db-password-env", paramLabel = "VAR",
            description = "the environment variable holding the database password (never the password itself)")
    String passwordVariable;

    @Option(names = "--drop", paramLabel = "SLOT",
            description = "drop this slot (its consumer must be stopped; the next one creates it again and "
                    + "invalidates the whole database)")
    String drop;

    @Option(names = "--yes", description = "really drop")
    boolean yes;

    @Override
    int run(PrintWriter out, PrintWriter err) throws AdminException {
        RealUrl parsed = RealUrl.parse(url);
        if (!parsed.realUrl().startsWith("jdbc:postgresql:")) {
            throw AdminException.usage("--url: the change feed is for PostgreSQL (jdbc:postgresql:...)");
        }
        Map<String, String> extra = new LinkedHashMap<>(parsed.settings());
        if (databaseId != null) {
            extra.put("sqlcache.databaseId", databaseId);
        }
        SqlCacheConfig config = config(extra);
        String identity = DatabaseIdentity.of(parsed.realUrl(), config.databaseId().orElse(null));
        Properties credentials = new Properties();
        if (user != null) {
            credentials.setProperty("user", user);
        }
        if (passwordVariable != null) {
            String password = environment().get(passwordVariable);
            if (password == null) {
                throw AdminException.usage("--db-password-env: " + passwordVariable + " is not set");
            }
            credentials.setProperty("password", password);
        }
        try (Connection db = DriverManager.getConnection(parsed.realUrl(), credentials)) {
            if (drop != null) {
                if (!yes) {
                    out.println("would drop slot " + drop + "; run again with --yes to drop it");
                    return AdminException.USAGE;
                }
                FeedSlots.drop(db, drop);
                out.println("dropped slot " + drop + " of database " + RealUrl.mask(parsed.realUrl()));
                return 0;
            }
            try (CacheStore store = openStore(adminSettings(config))) {
                String ours = FeedSlots.slotName(FeedSlots.databaseName(db), identity, store.describe());
                List<FeedSlots.Slot> slots = FeedSlots.list(db);
                out.println("database " + RealUrl.mask(parsed.realUrl()) + ": this deployment's slot is " + ours
                        + " (" + store.describe() + ")");
                if (slots.isEmpty()) {
                    out.println("no sqlcache slot (none is created before a JVM with sqlcache.changeFeed=postgres "
                            + "connects)");
                }
                for (FeedSlots.Slot slot : slots) {
                    String holder = slot.name().equals(ours)
                            ? store.feed().leaseHolder(FeedStore.LEASE_PREFIX + slot.name()) : null;
                    out.println("  " + slot.name() + (slot.name().equals(ours) ? " (this deployment's)" : "")
                            + ": " + (slot.active() ? "consumed (server process " + slot.activePid() + ")"
                            : "NOT consumed") + (holder == null ? "" : ", lease held by " + holder)
                            + ", confirmed " + slot.confirmedLsn() + ", keeps " + megabytes(slot.retainedWalBytes())
                            + " of WAL" + (slot.walStatus() == null ? "" : " (" + slot.walStatus() + ")"));
                    if (!slot.active() && slot.retainedWalBytes() > FeedSlots.RETAINED_WAL_WARNING_BYTES) {
                        err.println("sqlcache-admin feed: warning: " + slot.name() + " is not consumed and keeps "
                                + megabytes(slot.retainedWalBytes()) + " of WAL; drop it (--drop) if no JVM uses it "
                                + "any more");
                    }
                }
            }
            return 0;
        } catch (SQLException e) {
            throw AdminException.runtime("database " + RealUrl.mask(parsed.realUrl()) + ": " + e.getMessage(), e);
        }
    }

    private static String megabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1_048_576.0);
    }
}
