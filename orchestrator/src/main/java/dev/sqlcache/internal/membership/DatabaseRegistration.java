package dev.sqlcache.internal.membership;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The databases whose sessions tell other JVMs that this one still runs, as a member publishes them with its
 * renewals. Each PostgreSQL connection this JVM opens takes a shared session-level advisory lock named after the
 * member; PostgreSQL releases it when the session ends, which it does when the process dies. A member that has
 * lapsed, and whose every registered database lets another member take that lock exclusively, has no session left
 * in which a write of its could still commit: it is dropped then, without waiting for {@code sqlcache.fenceTimeout}.
 *
 * <p>A database on which no such lock exists (MariaDB, a connection private to one engine) registers as
 * {@link #UNLOCKABLE}: a member that registered it is never dropped early, since nothing tells whether it runs.
 * Only grows, for the life of the JVM: a database registered once stays, so a registration acknowledged once is
 * covered by every later one.
 */
public final class DatabaseRegistration {

    /** Registered by a database that cannot tell whether this JVM runs: no early drop of this member. */
    public static final String UNLOCKABLE = "*";
    /**
     * The advisory lock class (the first key of PostgreSQL's two-int form, "sqlc" in ASCII): an application's own
     * advisory locks collide only if they use this class too; locks taken with the one-bigint form never do.
     */
    public static final int LOCK_CLASS = 0x73716c63;

    /**
     * A SQL expression naming the server database a PostgreSQL session is on: the cluster's system identifier, the
     * database's oid and the server's current timeline. A lock lives in one server's database only, while a
     * database identity (the URL, or a {@code sqlcache.databaseId} shared by a primary and its read replica) may
     * name several: a registration therefore names the database a session actually reached, and a check counts
     * only where it finds the same. A replica shares the first two with its primary, so a session on a server in
     * recovery vouches for nothing and checks nothing ({@code pg_is_in_recovery()} is asked with it; the
     * expression is then null).
     *
     * <p>Why the timeline: a promoted replica goes on from its primary's identifier and oids, but on a timeline of
     * its own, while an old primary that was not stopped (split brain) stays on the old one, with its own sessions
     * and lock table. Without it, a check on the promoted server found the lock of a member still alive on the old
     * primary free there, and dropped it. A restart (fast or a crash) keeps the timeline, so registrations from
     * before it still match after it: a member whose sessions it ended is found gone, as before. Not the
     * postmaster's start time, which a restart changes: every registration from before it would match nothing, and
     * a registration only grows, so no member would be dropped early again for the life of its JVM. Not
     * {@code pg_control_checkpoint()}'s timeline either: it is the last checkpoint's, and a promoted server shows
     * the old one until the checkpoint after its promotion has ended. {@code pg_walfile_name} names the timeline
     * WAL is written on now; it fails in recovery, hence the {@code CASE}, whose branches PostgreSQL evaluates
     * only as needed (these functions are volatile, so never folded at planning). Any role may call all of them
     * (PostgreSQL 15: {@code EXECUTE} for {@code PUBLIC}).
     */
    public static final String FINGERPRINT_SQL = "CASE WHEN pg_is_in_recovery() THEN NULL ELSE "
            + "(SELECT system_identifier FROM pg_control_system())::text || '/' || "
            + "(SELECT oid FROM pg_database WHERE datname = current_database())::text || '/' || "
            + "substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) END";
    /**
     * {@link #FINGERPRINT_SQL}, then a space and the server's postmaster start time in microseconds: what a session
     * that took the lock reads, in the same round trip. A promoted replica shares the old primary's system
     * identifier and oids, and a primary that was not stopped (split brain) goes on with its own sessions and its
     * own lock table: only the start time, readable by any role, tells the two apart. Not registered (a database
     * restart would make every registration from before it unmatched, and keep killed members until
     * sqlcache.fenceTimeout); compared only between an anchor and a connection it vouches for
     * ({@link Membership#coversOrAnchors}), whose locks must live in one lock table.
     */
    public static final String LOCKED_SQL = FINGERPRINT_SQL + " || ' ' || "
            + "(extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint::text";
    private static final char SEPARATOR = '@';

    private final Set<String> databases = ConcurrentHashMap.newKeySet();
    private volatile String text = "";

    /** The second key of the lock for a member: stable across JVMs (String.hashCode is specified). */
    public static int lockKey(String member) {
        return member.hashCode();
    }

    /** The registered name of a session on {@code database} (its identity's hash) that reached {@code fingerprint}. */
    public static String entry(String database, String fingerprint) {
        return database + SEPARATOR + fingerprint;
    }

    /** The identity's hash an entry names, or null for {@link #UNLOCKABLE} and anything not written by {@link #entry}. */
    public static String database(String entry) {
        int at = entry.indexOf(SEPARATOR);
        return at <= 0 ? null : entry.substring(0, at);
    }

    /** The fingerprint part of what {@link #LOCKED_SQL} read (all of it when it has no server part). */
    public static String lockedFingerprint(String locked) {
        int space = locked.indexOf(' ');
        return space < 0 ? locked : locked.substring(0, space);
    }

    /** The server part of what {@link #LOCKED_SQL} read, or null when it has none. */
    public static String lockedServer(String locked) {
        int space = locked.indexOf(' ');
        return space < 0 ? null : locked.substring(space + 1);
    }

    /** The server database an entry names ({@link #FINGERPRINT_SQL}), or null. */
    public static String fingerprint(String entry) {
        int at = entry.indexOf(SEPARATOR);
        return at <= 0 ? null : entry.substring(at + 1);
    }

    /** Adds an entry (from {@link #entry}, or {@link #UNLOCKABLE}); published with the next renewal. */
    void add(String database) {
        if (databases.add(database)) {
            synchronized (this) {
                text = String.join(" ", databases.stream().sorted().toList());
            }
        }
    }

    /** What the next renewal publishes: the databases separated by spaces, "" for none. */
    String text() {
        return text;
    }

    /** Whether a published registration could let another member drop this one early. */
    static boolean lockable(String text) {
        return !text.isEmpty() && !entries(text).contains(UNLOCKABLE);
    }

    static Set<String> entries(String text) {
        return text.isEmpty() ? Set.of() : Set.of(text.split(" "));
    }
}
