package dev.sqlcache.internal.membership;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The databases whose sessions tell other JVMs that this one still runs, as a member publishes them with its
 * renewals. Each PostgreSQL connection this JVM opens takes a shared session-level advisory lock named after the
 * member; PostgreSQL releases it when the session ends, which it does when the process dies. A member that has
 * lapsed, and whose every registered database lets another member take that lock exclusively, has no session left
 * in which a write of its could still commit: it is dropped then, without waiting for {@code sqlcache.fenceTimeout}.
 *
 * <p>A database on which no such lock exists (MariaDB, a connection private to one engine) registers as
 * {@link #UNLOCKABLE}: a member that registered it is never dropped early, since nothing tells whether it runs.
 * Grows with every server database a connection reaches; an entry leaves it only once no connection of this JVM
 * holds it and another entry of the same identity is held ({@link #changed}: after a failover, the old primary's).
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
     * before it still match after it: a member whose sessions it ended is found gone, as before. The postmaster's
     * start time alone would not do, since a restart changes it: every registration from before it would match
     * nothing, and keep every live member from being dropped early until its connections from before the restart
     * are all closed (an entry leaves a registration only then, {@link #changed}); hence the address beside it
     * (below). Not
     * {@code pg_control_checkpoint()}'s timeline either: it is the last checkpoint's, and a promoted server shows
     * the old one until the checkpoint after its promotion has ended. {@code pg_walfile_name} names the timeline
     * WAL is written on now; it fails in recovery, hence the {@code CASE}, whose branches PostgreSQL evaluates
     * only as needed (these functions are volatile, so never folded at planning). Any role may call all of them
     * (PostgreSQL 15: {@code EXECUTE} for {@code PUBLIC}).
     */
    /*
     * Then the server process (session 30): two replicas promoted from one primary both take the next timeline
     * number, and a copy of a primary started as a server of its own continues its timeline; such servers shared
     * all three parts, and a check on one found free the lock of a member alive on the other. The postmaster's start
     * time (microseconds) and the address and port the session reached (host(inet_server_addr()), 'local' on a
     * Unix socket) follow, and an entry matches a session ({@link #sameServer}) when the first three parts are
     * equal and either of these is: the start time tells two servers apart always, but changes at a restart; the
     * address stays across a restart, and tells two servers apart unless both are reached at the same address and
     * port (two hosts' containers on their own private networks).
     */
    private static final String FINGERPRINT_SQL = "CASE WHEN pg_is_in_recovery() THEN NULL ELSE "
            + "(SELECT system_identifier FROM pg_control_system())::text || '/' || "
            + "(SELECT oid FROM pg_database WHERE datname = current_database())::text || '/' || "
            + "substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) || '/' || "
            + "(extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint::text || '/' || "
            + "coalesce(host(inet_server_addr()), 'local') || ':' || "
            + "coalesce(inet_server_port()::text, current_setting('port')) END";
    /**
     * {@link #FINGERPRINT_SQL}, then a space and the server's postmaster start time in microseconds: what a session
     * that took the lock reads, in the same round trip. A promoted replica shares the old primary's system
     * identifier and oids, and a primary that was not stopped (split brain) goes on with its own sessions and its
     * own lock table: only the start time, readable by any role, tells the two apart for certain. An anchor and a
     * connection it vouches for ({@link Membership#coversOrAnchors}), whose locks must live in one lock table,
     * compare it alone; a check also takes the address ({@link #sameServer}).
     */
    private static final String LOCKED_SQL = FINGERPRINT_SQL + " || ' ' || "
            + "(extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint::text";
    private static final char SEPARATOR = '@';

    /**
     * What a MariaDB/MySQL session's lock round trip reads to name the server it reached: {@code m:} (told apart
     * from a PostgreSQL fingerprint, which starts with a digit), {@code @@server_id}, {@code @@hostname} and
     * {@code @@port}. A user lock ({@code GET_LOCK}) lives in one server process's lock table, whatever the database,
     * so the server is what a check must match. Servers that replicate from each other must have distinct
     * {@code server_id}s, and a replica or a promoted one is another host or port: an entry registered on one never
     * matches a session on another, so (unlike PostgreSQL, whose replica shares its primary's identifier) neither a
     * replica nor a failover needs a rule of its own. What it does not tell apart: two unrelated servers with the
     * same host name, port and server id reached under one identity (docs/consistency.md).
     */
    private static final String MARIADB_FINGERPRINT_SQL = "CONCAT('m:', @@server_id, '/', @@hostname, ':', @@port)";
    /** Before a MariaDB entry's lock number. */
    private static final char LOCK_NUMBER = '#';
    /** The lock numbers of this JVM's MariaDB connections: one name per physical connection, never reused. */
    private static final java.util.concurrent.atomic.AtomicLong NEXT_LOCK_NUMBER =
            new java.util.concurrent.atomic.AtomicLong();

    /** {@link #MARIADB_FINGERPRINT_SQL}; a method for the reason {@link #fingerprintSql()} gives. */
    public static String mariaDbFingerprintSql() {
        return MARIADB_FINGERPRINT_SQL;
    }

    /**
     * A fresh lock number for one MariaDB connection. MariaDB's user locks are exclusive (one session per name), so
     * where every PostgreSQL connection of a member shares one lock, each MariaDB connection takes a name of its own:
     * {@link #mariaDbLockName}.
     */
    public static long nextMariaDbLockNumber() {
        return NEXT_LOCK_NUMBER.incrementAndGet();
    }

    /** The user lock a member's MariaDB connection number {@code n} holds (at most 37 characters; MariaDB allows 64). */
    public static String mariaDbLockName(int key, long n) {
        return "sqlc:" + Integer.toHexString(key) + ":" + n;
    }

    /** What a MariaDB connection that took lock {@code n} on the server {@code fingerprint} registers after the identity. */
    public static String mariaDbLocked(String fingerprint, long n) {
        return fingerprint + LOCK_NUMBER + n;
    }

    /** Whether an entry was registered by a MariaDB connection ({@link #mariaDbLocked}). */
    public static boolean isMariaDb(String entry) {
        String fingerprint = fingerprint(entry);
        return fingerprint != null && fingerprint.startsWith("m:");
    }

    /** The server part of a MariaDB entry (what {@link #mariaDbFingerprintSql()} read), or null. */
    public static String mariaDbServer(String entry) {
        String fingerprint = fingerprint(entry);
        int hash = fingerprint == null ? -1 : fingerprint.lastIndexOf(LOCK_NUMBER);
        return hash <= 0 ? null : fingerprint.substring(0, hash);
    }

    /** The lock number of a MariaDB entry, or -1 when it names none. */
    public static long mariaDbLockNumber(String entry) {
        String fingerprint = fingerprint(entry);
        int hash = fingerprint == null ? -1 : fingerprint.lastIndexOf(LOCK_NUMBER);
        try {
            return hash <= 0 ? -1 : Long.parseLong(fingerprint.substring(hash + 1));
        } catch (NumberFormatException e) {
            return -1; // read back from the store: untrusted
        }
    }

    /**
     * The expression {@code FINGERPRINT_SQL} above. A method, not a public constant: a constant is copied into
     * every class compiled against it, so a class built with one version of this jar (the driver's probe, a check)
     * would go on sending that version's SQL next to another version's registration code, and the two would
     * register and compare different fingerprints.
     */
    public static String fingerprintSql() {
        return FINGERPRINT_SQL;
    }

    /** The expression {@code LOCKED_SQL} above; a method for the reason {@link #fingerprintSql()} gives. */
    public static String lockedSql() {
        return LOCKED_SQL;
    }

    /** Each registered entry and how many open connections hold it. Guarded by {@code this}. */
    private final Map<String, Integer> open = new HashMap<>();
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

    /** The fingerprint part of what {@link #lockedSql()} read (all of it when it has no server part). */
    public static String lockedFingerprint(String locked) {
        int space = locked.indexOf(' ');
        return space < 0 ? locked : locked.substring(0, space);
    }

    /** The server part of what {@link #lockedSql()} read, or null when it has none. */
    public static String lockedServer(String locked) {
        int space = locked.indexOf(' ');
        return space < 0 ? null : locked.substring(space + 1);
    }

    /**
     * Whether a session that read {@code current} ({@link #fingerprintSql()}) is on the server database that
     * {@code registered} (an entry's fingerprint) was read on: the cluster's identifier, the database's oid and the
     * timeline equal, and the postmaster's start time or the server's address and port equal too (the reasons are at
     * {@code FINGERPRINT_SQL}); a Unix socket's {@code local} is no address, and only the start time counts there. Anything not in that form (an entry of an older version, a MariaDB one) matches
     * nothing: its member is kept until sqlcache.fenceTimeout, never dropped wrongly.
     */
    public static boolean sameServer(String registered, String current) {
        if (registered == null || current == null) {
            return false;
        }
        String[] r = registered.split("/", -1);
        String[] c = current.split("/", -1);
        if (r.length != 5 || c.length != 5 || r[4].isEmpty()) {
            return false;
        }
        for (int i = 0; i < 3; i++) {
            if (r[i].isEmpty() || !r[i].equals(c[i])) {
                return false;
            }
        }
        return (!r[3].isEmpty() && r[3].equals(c[3])) || (r[4].equals(c[4]) && !r[4].startsWith(NO_ADDRESS));
    }

    /**
     * What {@code FINGERPRINT_SQL} names as the address of a session over a Unix socket: no server's, every server's
     * reached so (a pooler beside each server on its default port), so it never stands in for the start time (review
     * rF: promoted siblings reached through their own sockets matched; PromotedReplicaTest).
     */
    private static final String NO_ADDRESS = "local:";

    /** The server database an entry names ({@link #fingerprintSql()}), or null. */
    public static String fingerprint(String entry) {
        int at = entry.indexOf(SEPARATOR);
        return at <= 0 ? null : entry.substring(at + 1);
    }

    /**
     * A connection registered an entry (from {@link #entry}, or {@link #UNLOCKABLE}, which is never retired);
     * published with the next renewal. Counted, so that {@link #release} can tell when no connection of this JVM
     * is left on it.
     */
    synchronized void hold(String entry) {
        open.merge(entry, 1, Integer::sum);
        changed();
    }

    /**
     * A connection that {@link #hold held} {@code entry} closed: this JVM sends nothing more on it. An entry no open
     * connection holds is retired (no longer published) once another entry of the same identity is held, a server
     * database reached since (a failover's promoted server, on a timeline of its own): see {@link #changed}.
     */
    synchronized void release(String entry) {
        open.computeIfPresent(entry, (e, count) -> count - 1);
        changed();
    }

    /**
     * Retires every entry that no open connection holds while another entry of its identity is held, and rebuilds
     * the text. Why retiring is safe, where growing alone was not enough: a check drops a member only once every
     * published entry is found free on its own server, so after a failover the old primary's entry, which no check
     * on the promoted server can match, kept a killed JVM until sqlcache.fenceTimeout for the rest of its life.
     * A write relies on the early drop only on a connection {@link Membership#covers covered} by the last renewal
     * answered alive, whose text named that connection's entry; an entry leaves the text only once no connection
     * of this JVM holds it, so no such write can still be sent on it. A connection opened on a retired entry
     * holds it again and is covered only by a renewal that published it again. An entry nothing holds is kept while
     * no other entry of its identity is held (an idle pool keeps its registration, as before): removing one only
     * ever lets a check reach a verdict it could not reach before, never on an entry a live session holds.
     */
    private void changed() {
        Set<String> held = new java.util.HashSet<>();
        open.forEach((entry, count) -> {
            if (count > 0) {
                held.add(database(entry));
            }
        });
        open.entrySet().removeIf(e -> e.getValue() <= 0 && database(e.getKey()) != null
                && held.contains(database(e.getKey())));
        text = String.join(" ", open.keySet().stream().sorted().toList());
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

    /**
     * The entries of {@code entries} that {@code sent} names too: {@code entries} itself when it names them all (the
     * usual case, with no entry retired since: no copy).
     */
    static Set<String> common(Set<String> entries, Set<String> sent) {
        if (sent.containsAll(entries)) {
            return entries;
        }
        Set<String> kept = new java.util.HashSet<>(entries);
        kept.retainAll(sent);
        return Set.copyOf(kept);
    }
}
