package dev.sqlcache.internal.admin;

import dev.sqlcache.internal.config.RedisSettings;
import dev.sqlcache.internal.config.SqlCacheConfig;
import dev.sqlcache.internal.engine.DatabaseIdentity;
import dev.sqlcache.internal.key.CacheKeyBuilder;
import dev.sqlcache.internal.store.CacheStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code invalidate}: what a write through the driver does, for writes that bypassed it (another application, a
 * migration, a manual fix). The database hash is computed exactly as the driver computes it for the same URL and
 * {@code sqlcache.databaseId}, and the version keys get fresh tokens through {@link CacheStore#bumpVersions}, so
 * every entry computed before is stale at once, in every JVM.
 */
@Command(name = "invalidate", mixinStandardHelpOptions = true,
        description = "Make the cached entries of some tables (or, without --table, of the whole database) stale.")
final class InvalidateCommand extends AdminCommand {

    @Option(names = "--url", required = true, paramLabel = "JDBC-URL",
            description = "the application's JDBC URL, real (jdbc:postgresql://db/app) or jdbc:sqlcache:...; "
                    + "credentials in it are ignored")
    String url;

    @Option(names = "--database-id", paramLabel = "ID",
            description = "the application's sqlcache.databaseId, if it sets one (else SQLCACHE_DATABASE_ID or "
                    + "the URL's sqlcache.databaseId)")
    String databaseId;

    @Option(names = "--table", paramLabel = "TABLE", split = ",",
            description = "a table whose entries go stale (repeatable or comma-separated; schema and quotes are "
                    + "dropped: public.\"Orders\" is orders); without it every entry of the database goes stale")
    List<String> tables = new ArrayList<>();

    @Override
    int run(PrintWriter out, PrintWriter err) throws AdminException {
        RealUrl parsed = RealUrl.parse(url);
        Map<String, String> extra = new LinkedHashMap<>(parsed.settings());
        if (databaseId != null) {
            if (databaseId.isBlank()) {
                throw AdminException.usage("--database-id must not be blank");
            }
            extra.put("sqlcache.databaseId", databaseId);
        }
        SqlCacheConfig config = config(extra);
        String override = config.databaseId().orElse(null);
        String identity = DatabaseIdentity.of(parsed.realUrl(), override);
        if (identity.contains("#jvm:") || identity.contains("#connection:")) {
            throw AdminException.usage(RealUrl.mask(parsed.realUrl()) + " is an embedded database: it is private "
                    + "to the JVM that opens it, and so are its cache keys, which cannot be invalidated from outside "
                    + "(give the application a sqlcache.databaseId and pass it as --database-id, or use flush)");
        }
        String hash = CacheKeyBuilder.shortHash(identity);

        Set<String> keys = new LinkedHashSet<>();
        for (String table : tables) {
            String name = SqlCacheKeys.versionName(table);
            if (name.isEmpty() || name.equals(SqlCacheKeys.DATABASE_TABLE)) {
                throw AdminException.usage("--table: \"" + table + "\" is not a table name");
            }
            // Reads by key depend on the table's row and insert tokens, not on its table-wide one: bump all three,
            // as a table-level write through the driver does.
            keys.addAll(SqlCacheKeys.tableKeys(table, hash));
        }
        if (keys.isEmpty()) {
            keys.add(SqlCacheKeys.databaseVersionKey(hash));
        }
        // Whether they existed is reported for these keys; the write sequence is advanced as by any write.
        String[] reported = keys.toArray(new String[0]);
        keys.add(CacheStore.SEQUENCE_PREFIX + hash);
        String[] versionKeys = keys.toArray(new String[0]);

        RedisSettings settings = adminSettings(config);
        List<String> unknown = new ArrayList<>();
        try (RedisAdminConnection redis = new RedisAdminConnection(settings)) {
            for (String key : reported) {
                if (!redis.with("EXISTS", j -> j.exists(redis.key(key)))) {
                    unknown.add(key);
                }
            }
        }
        try (CacheStore store = openStore(settings)) {
            CacheStore.Recipients near = store.endLeases(versionKeys, null, null, CacheStore.Notice.anonymous());
            // Near caches drop what the bump made stale when its notice reaches them; nobody here collects their
            // acknowledgements, so wait until each lease live at the bump has lapsed or been renewed after it.
            // Holders nobody could name (the set was lost) or tell (the notice was refused) lapse within a lease too.
            long wait = near.storeMillis() < 0 ? dev.sqlcache.internal.near.NearMember.LEASE_MILLIS : 0;
            for (int i = 0; i < near.members().length; i++) {
                wait = Math.max(wait, dev.sqlcache.internal.near.NearMember.left(near, i));
            }
            if (wait > 0) {
                Thread.sleep(wait + 100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }

        out.println("database " + RealUrl.mask(identity) + " (hash " + hash + ")" + (override == null ? "" : " by its id"));
        out.println("invalidated " + (tables.isEmpty() ? "every entry of the database"
                : "the entries reading " + String.join(", ", tables.stream()
                        .map(table -> tableOf(SqlCacheKeys.tableVersionKey(table, hash))).distinct().toList()))
                + " on redis " + settings.describe() + ":");
        for (String key : reported) {
            out.println("  " + key + (unknown.contains(key) ? " (new: nothing was cached under it)" : ""));
        }
        if (unknown.size() == reported.length) {
            err.println("sqlcache-admin invalidate: note: no version key existed, so nothing was cached for "
                    + (tables.isEmpty() ? "this database" : "these tables") + " under this hash; if entries are "
                    + "cached, check that --url and --database-id are the application's");
        }
        return 0;
    }

    private static String tableOf(String versionKey) {
        return SqlCacheKeys.parse(versionKey).table();
    }
}
