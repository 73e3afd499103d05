package dev.sqlcache.internal.store;

import static dev.sqlcache.internal.store.RedisCommands.bytes;
import static dev.sqlcache.internal.store.RedisCommands.text;

import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@link CacheStore#lookup} on Redis, in one round trip. When every token the reader may create already exists (every
 * hit, and most misses), it is plain read commands sent together: {@code GETRANGE} of the entry up to one byte past
 * the reader's cap (so the server cuts a hostile 100 MB value, and a reply one byte too long says "over the cap"),
 * between two {@code PTTL}s of it (the second also tells a missing entry from an empty one: {@code GETRANGE} answers
 * both with nothing), and an {@code MGET} of the version keys. No script: an {@code EVALSHA} cost the server about 7 µs more than the
 * few microseconds of commands it ran, as much as all the rest of a hit (docs/performance.md). Only when a token it
 * must create is missing, a read that cannot be a hit, does it run {@code lookup.lua}, which creates the tokens and
 * reads everything again atomically; or at once, without the read, when the caller guesses a token is missing (its
 * statement's last lookups created one: rows read for the first time), one round trip instead of two.
 *
 * <p>Why two reads in one pipeline serve nothing that one atomic read would not: the entry is read before the
 * tokens, and an entry is served only when the tokens it records equal the tokens read. A token never comes back
 * once replaced (tokens are random), so the recorded ones were still current when they were read, after the entry:
 * the answer is the one an atomic read at that later moment gives, for any entry computed under those tokens is
 * current for as long as they are, whichever value the entry key holds by then (docs/consistency.md, "A lookup:
 * the entry first, its tokens after").
 * The entry's time to live only bounds how long an in-process copy lives, and other clients' commands may run
 * between these: a value stored, deleted or expired next to the read must not lend the copy a longer life, hence a
 * {@code PTTL} on each side of it, and a key read then gone allows no copy. A caller that keeps no copy (no near
 * cache, or a read that does not go to it) is spared all the {@code PTTL}s: a hit is then two commands once its
 * statement's lookups find entries, three before (an {@code EXISTS} tells a missing key from an empty value).
 *
 * <p>On a Redis Cluster the entry is on its hash's slot and the tokens on the control slot ({@link ClusterKeys}): the
 * entry's commands go to its master and the {@code MGET} (with the tokens' {@code PTTL}s) to the control node, both
 * sent before either reply is read ({@link RedisCommands#pipelined(byte[], int, CommandArguments...)}). Their order
 * is then unknown, and need not be known: there a store checks the tokens after its query ran ({@link CheckedPut}),
 * so every entry is the right answer whenever the tokens it records are current, whenever it was read
 * (docs/consistency.md, "When Redis is a Cluster", point 3).
 */
final class RedisLookup {

    private static final byte[] ZERO = bytes("0");
    private static final byte[] NEVER = bytes("-1");
    /** GETRANGE's start index. */
    private static final SharedBytes ZERO_ARGUMENT = new SharedBytes(ZERO);
    /** Replies before the optional version-key PTTLs: the entry's PTTL, the entry, its PTTL again, the tokens. */
    private static final int FIXED_REPLIES = 4;
    /** The entry key {@code lookup.lua} reads on a cluster: in the control slot, never written. */
    private static final byte[] NO_ENTRY = bytes("sql:_lookup:none");

    private final RedisCommands redis;
    private final RedisScript script;
    /** The last cap's GETRANGE end argument: the cap is a setting, the same on nearly every lookup. */
    private volatile GetRangeEnd lastEnd;

    /** @param script {@code lookup.lua}: the lookup that also creates missing tokens */
    RedisLookup(RedisCommands redis, RedisScript script) {
        this.redis = redis;
        this.script = script;
    }

    /**
     * @param encoded   the version keys' UTF-8 where the caller keeps it ({@code null}, or {@code null} entries: the
     *                  keys it lacks are encoded here)
     * @param keepsCopy whether a copy may be kept in process: only then are the times to live read
     * @param entryLikely whether the caller's recent lookups found an entry: then a read that keeps no copy sends no
     *                    {@code EXISTS}, and one that comes back empty is sent again with it
     * @param tokenMissingLikely whether the caller's last lookup had to create a token (its statement reads rows
     *                    nobody read before): then {@code lookup.lua} is sent straight away, one round trip, rather
     *                    than after a read that would find the token missing (two). Not on a cluster, where the
     *                    script cannot read the entry and would make a hit a miss
     */
    CacheStore.Lookup lookup(String entryKey, String[] versionKeys, byte[][] encoded, long[] creation,
                             int maxEntryBytes, boolean keepsCopy, boolean entryLikely, boolean tokenMissingLikely) {
        byte[] entryKeyBytes = bytes(entryKey);
        if (tokenMissingLikely && !redis.cluster() && versionKeys.length > 0) {
            // The script reads the entry and the tokens atomically, creating what is missing: the lookup it replaces
            // would have answered the same (a guess changes what is sent, never what is answered).
            return created(entryKeyBytes, versionKeys, creation, maxEntryBytes);
        }
        SharedBytes[] physical = physical(versionKeys, encoded);
        SharedBytes end = end(maxEntryBytes);
        CacheStore.Lookup read = redis.execute("lookup", () -> keepsCopy
                ? read(entryKeyBytes, physical, versionKeys, creation, maxEntryBytes, end)
                : readWithoutTtls(entryKeyBytes, physical, versionKeys, creation, maxEntryBytes, end, entryLikely));
        if (read != null && read.oversized() > 0) {
            // A refused value is reported with its length: asked for only then, the cap has kept it from coming.
            byte[] stored = redis.entryKey(entryKeyBytes);
            return new CacheStore.Lookup(null, read.versions(), oversizedLength(stored, read.oversized()));
        }
        if (read != null) {
            return read;
        }
        return created(entryKeyBytes, versionKeys, creation, maxEntryBytes);
    }

    /**
     * The length of an entry read over the cap, for the report of its refusal: {@code STRLEN} on the entry's node, or
     * {@code atLeast} (the length read, the cap plus one) when that node is not to be asked now or sends the key
     * elsewhere (its slot moved since the read): only the report's number is lost, the lookup stays a miss
     * ({@link RedisCommands#entryLength}).
     */
    long oversizedLength(byte[] stored, long atLeast) {
        long length = redis.execute("lookup", () -> redis.entryLength(stored));
        return Math.max(length, atLeast);
    }

    /**
     * The version keys as this Redis stores them, as command arguments: the caller's bytes where it has them (a
     * statement's unchanging keys, encoded once), else encoded here.
     */
    private SharedBytes[] physical(String[] versionKeys, byte[][] encoded) {
        SharedBytes[] physical = new SharedBytes[versionKeys.length];
        for (int i = 0; i < versionKeys.length; i++) {
            byte[] logical = encoded == null || encoded[i] == null ? bytes(versionKeys[i]) : encoded[i];
            physical[i] = new SharedBytes(redis.key(logical));
        }
        return physical;
    }

    /**
     * GETRANGE's end index for {@code maxEntryBytes} (inclusive: at most one byte over the cap comes back), made
     * once per cap rather than as a number Jedis turns into text and copies on every lookup.
     */
    private SharedBytes end(int maxEntryBytes) {
        GetRangeEnd known = lastEnd;
        if (known == null || known.maxEntryBytes != maxEntryBytes) {
            known = new GetRangeEnd(maxEntryBytes, new SharedBytes(bytes(Integer.toString(maxEntryBytes))));
            lastEnd = known;
        }
        return known.end;
    }

    /** {@link #end}'s memo: the cap and its argument, replaced together (one final-field object, safely shared). */
    private record GetRangeEnd(int maxEntryBytes, SharedBytes end) {
    }

    /**
     * The pipelined read for a caller that keeps no copy: {@code EXISTS}, {@code GETRANGE} and {@code MGET}, no
     * {@code PTTL} (they only bound a copy's life). {@code GETRANGE} answers an empty value and a missing key alike;
     * the {@code EXISTS} before it tells them apart in the same round trip, in the one direction that matters: a key
     * missing before the read is missing (a store landing right after it must not make the miss look like an empty,
     * corrupt entry, a count that says something else writes the cache's keys). A key that existed and then read
     * empty (an empty value, or a value deleted in between) is read again whole, with its {@code PTTL}s, in a second
     * round trip that only such a read pays. The times to live are reported as 0, so that a copy made from this by
     * mistake could not live. {@code null} when a token it may create is missing (the script then runs).
     *
     * <p>When the caller expects an entry ({@code entryLikely}: its statement's last lookups found one), the
     * {@code EXISTS} is left out: a hit is {@code GETRANGE} and {@code MGET}, a fifth of the server's instructions
     * less (docs/performance.md, session 29). A read that then comes back empty cannot say whether the key was
     * missing or held nothing, and is sent again as a caller expecting none sends it, with its {@code EXISTS}: the
     * guess changes what is sent, never what is answered (the answer is that read's, one round trip later).
     */
    private CacheStore.Lookup readWithoutTtls(byte[] logicalEntryKey, SharedBytes[] physical, String[] versionKeys,
                                              long[] creation, int maxEntryBytes, SharedBytes end,
                                              boolean entryLikely) {
        byte[] stored = redis.entryKey(logicalEntryKey);
        SharedBytes entryKey = new SharedBytes(stored);
        CommandArguments mget = new CommandArguments(Protocol.Command.MGET);
        for (SharedBytes versionKey : physical) {
            mget.add(versionKey);
        }
        // End index inclusive: at most maxEntryBytes + 1 bytes come back. MGET of no key is an error. On a cluster
        // the entry's commands (the MGET too when it reads only the entry) go to the entry's node, the MGET of the
        // tokens to the control node.
        CommandArguments range = new CommandArguments(Protocol.Command.GETRANGE).add(entryKey).add(ZERO_ARGUMENT)
                .add(end);
        CommandArguments tokens = versionKeys.length == 0 ? mget.add(entryKey) : mget;
        int onEntryNode = versionKeys.length == 0 ? 2 : 1;
        List<Object> replies = entryLikely ? redis.pipelined(stored, onEntryNode, range, tokens)
                : redis.pipelined(stored, onEntryNode + 1,
                        new CommandArguments(Protocol.Command.EXISTS).add(entryKey), range, tokens);
        int at = entryLikely ? 0 : 1;
        boolean redirected = redirected(replies, entryLikely ? onEntryNode : onEntryNode + 1);
        byte[][] versions = tokens(redirected, replies.get(at + 1), versionKeys, creation);
        if (versions == null) {
            return null;
        }
        if (redirected) {
            return CacheStore.Lookup.ofEncoded(null, versions, 0, 0, 0);
        }
        Object rangeReply = replies.get(at);
        byte[] entry = rangeReply(rangeReply);
        if (!(rangeReply instanceof JedisDataException)) {
            if (entry.length == 0 && entryLikely) {
                // Not asked whether it existed: asked now, by the read a caller expecting no entry sends, a whole
                // lookup of its own. Not the read with PTTLs: one on each side of an empty read cannot tell a key
                // stored, deleted and stored again around it from an empty value, and would call a miss corrupt
                // where the EXISTS before the read says "missing" (review rB, RedisLookupInterleavingTest).
                return readWithoutTtls(logicalEntryKey, physical, versionKeys, creation, maxEntryBytes, end, false);
            }
            if (entry.length == 0 && (Long) orThrow(replies.get(0)) == 0) {
                return CacheStore.Lookup.ofEncoded(null, versions, 0, 0, 0); // missing before the read: missing
            }
            if (entry.length == 0) {
                // Existed, then read empty (an empty value or one deleted in between). The read with a PTTL on each
                // side tells them apart; it reads the tokens again after the entry, a whole lookup of its own.
                CacheStore.Lookup whole = read(logicalEntryKey, physical, versionKeys, creation, maxEntryBytes, end);
                return whole == null ? null
                        : CacheStore.Lookup.ofEncoded(whole.entry(), whole.encodedVersions(), whole.oversized(), 0, 0);
            }
            if (entry.length > maxEntryBytes) {
                return CacheStore.Lookup.ofEncoded(null, versions, entry.length, 0, 0);
            }
        }
        return CacheStore.Lookup.ofEncoded(entry, versions, 0, 0, 0);
    }

    /**
     * The tokens an MGET read, as the bytes it read (a hit compares them with the entry's as bytes, and decodes none),
     * or {@code null} when one the reader may create is missing.
     */
    private static byte[][] tokens(boolean redirected, Object reply, String[] versionKeys, long[] creation) {
        if (redirected && versionKeys.length == 0) {
            return new byte[0][]; // the MGET read only the entry, on the entry's node, and was sent elsewhere too
        }
        List<?> tokens = (List<?>) orThrow(reply);
        byte[][] versions = new byte[versionKeys.length][];
        for (int i = 0; i < versions.length; i++) {
            versions[i] = (byte[]) tokens.get(i);
            if (versions[i] == null && creation[i] != CacheStore.NEVER_CREATE) {
                return null;
            }
        }
        return versions;
    }

    /**
     * The pipelined read for a caller that may keep a copy; {@code null} when a token it may create is missing (the
     * script then runs).
     */
    private CacheStore.Lookup read(byte[] logicalEntryKey, SharedBytes[] physical, String[] versionKeys,
                                   long[] creation, int maxEntryBytes, SharedBytes end) {
        byte[] stored = redis.entryKey(logicalEntryKey);
        SharedBytes entryKey = new SharedBytes(stored);
        int expiring = 0;
        for (int i = 1; i < versionKeys.length; i++) {
            expiring += creation[i] == CacheStore.NEVER_CREATE ? 1 : 0;
        }
        CommandArguments[] commands = new CommandArguments[FIXED_REPLIES + expiring];
        // Other clients' commands may run between these: the entry's PTTL is read on both sides of the entry, so
        // that a value replaced or gone in between cannot lend a copy of the one read a longer life.
        commands[0] = new CommandArguments(Protocol.Command.PTTL).add(entryKey);
        // End index inclusive: at most maxEntryBytes + 1 bytes come back.
        commands[1] = new CommandArguments(Protocol.Command.GETRANGE).add(entryKey).add(ZERO_ARGUMENT).add(end);
        commands[2] = new CommandArguments(Protocol.Command.PTTL).add(entryKey);
        CommandArguments mget = new CommandArguments(Protocol.Command.MGET);
        for (SharedBytes versionKey : physical) {
            mget.add(versionKey);
        }
        // MGET of no key is an error; one key read twice changes nothing.
        commands[3] = versionKeys.length == 0 ? mget.add(entryKey) : mget;
        for (int i = 1, c = FIXED_REPLIES; i < versionKeys.length; i++) {
            if (creation[i] == CacheStore.NEVER_CREATE) {
                // Keys readers never create but the fence (the change feed's) expire without notice: a copy kept
                // in process must not outlive them.
                commands[c++] = new CommandArguments(Protocol.Command.PTTL).add(physical[i]);
            }
        }
        // On a cluster the entry's three (four without version keys) go to its node, the rest to the control node.
        List<Object> replies = redis.pipelined(stored, versionKeys.length == 0 ? FIXED_REPLIES : FIXED_REPLIES - 1,
                commands);
        boolean redirected = redirected(replies, versionKeys.length == 0 ? FIXED_REPLIES : FIXED_REPLIES - 1);
        byte[][] versions = tokens(redirected, replies.get(3), versionKeys, creation);
        if (versions == null) {
            return null;
        }
        if (redirected) {
            return CacheStore.Lookup.ofEncoded(null, versions, 0, CacheStore.UNKNOWN_TTL, CacheStore.UNKNOWN_TTL);
        }
        long ttlBefore = (Long) orThrow(replies.get(0));
        long entryTtl = (Long) orThrow(replies.get(2));
        byte[] entry = rangeReply(replies.get(1));
        if (!(replies.get(1) instanceof JedisDataException)) {
            if (entry.length == 0 && (ttlBefore == -2 || entryTtl == -2)) {
                entry = null; // no such key on one side of the read: missing, not an empty value
            } else if (entry.length > maxEntryBytes) {
                return CacheStore.Lookup.ofEncoded(null, versions, entry.length, CacheStore.UNKNOWN_TTL,
                        CacheStore.UNKNOWN_TTL);
            }
        }
        long shortest = CacheStore.UNKNOWN_TTL;
        for (int i = 1, c = FIXED_REPLIES; i < versionKeys.length; i++) {
            if (creation[i] != CacheStore.NEVER_CREATE) {
                continue;
            }
            long left = (Long) orThrow(replies.get(c++));
            if (left == -2 && versions[i] != null) {
                left = 0; // read, then gone before its PTTL (expired): a copy must not outlive it
            }
            if (left >= 0 && (shortest < 0 || left < shortest)) {
                shortest = left;
            }
        }
        return CacheStore.Lookup.ofEncoded(entry, versions, 0, entry == null ? CacheStore.UNKNOWN_TTL
                : shorter(ttlBefore, entryTtl), shortest);
    }

    /**
     * How long a copy of the entry read between two PTTLs of its key may live: the shorter. A value missing at
     * either (-2) was stored or gone in between: no copy. Neither expires (-1): unknown.
     */
    private static long shorter(long before, long after) {
        if (before == -2 || after == -2) {
            return 0;
        }
        if (before < 0) {
            return after < 0 ? CacheStore.UNKNOWN_TTL : after;
        }
        return after < 0 ? before : Math.min(before, after);
    }

    /**
     * Whether the entry's node sent one of the first {@code entryReplies} back elsewhere ({@code MOVED}, {@code ASK}:
     * its slot moved, or is moving and the key has left). That read of the entry is then a miss, the tokens read on
     * the control node standing: nothing correct depends on which value an entry key holds (docs/consistency.md,
     * "When Redis is a Cluster", point 6), so a reshard, what scaling out is done with, must not count as a failure
     * of the store, which would put every key of this JVM in back-off and doubt (review rC). The slot map is read
     * again, off this thread.
     */
    private boolean redirected(List<Object> replies, int entryReplies) {
        for (int i = 0; i < entryReplies; i++) {
            // CLUSTERDOWN from the entry's node alone (the tokens were read, so the control slot is served): the
            // entry's slot is no longer served there, on a cluster that runs without full coverage.
            if (replies.get(i) instanceof redis.clients.jedis.exceptions.JedisRedirectionException
                    || replies.get(i) instanceof redis.clients.jedis.exceptions.JedisClusterException) {
                redis.entryRedirected();
                return true;
            }
        }
        return false;
    }

    /**
     * The GETRANGE reply: the bytes read, or none for another type under an entry key (corrupt, as read_entry.lua
     * reads it); any other error is thrown.
     */
    private static byte[] rangeReply(Object range) {
        if (range instanceof JedisDataException e) {
            if (!isWrongType(e)) {
                throw e;
            }
            return new byte[0];
        }
        return (byte[]) range;
    }

    private static Object orThrow(Object reply) {
        if (reply instanceof JedisDataException e) {
            throw e;
        }
        return reply;
    }

    private static boolean isWrongType(JedisDataException e) {
        return e.getMessage() != null && e.getMessage().startsWith("WRONGTYPE");
    }

    /** lookup.lua: creates the missing tokens, then reads entry and tokens atomically. */
    private CacheStore.Lookup created(byte[] entryKey, String[] versionKeys, long[] creation, int maxEntryBytes) {
        List<byte[]> keys = new ArrayList<>(versionKeys.length + 1);
        // On a cluster the script runs on the control node, where no entry is: it reads a key of that slot never
        // written. A lookup that creates a token cannot be a hit (no entry records a fresh token).
        keys.add(redis.cluster() ? NO_ENTRY : entryKey);
        for (String versionKey : versionKeys) {
            keys.add(bytes(versionKey));
        }
        // A fresh base token for each attempt (RedisCommands.script): a late first attempt that finds the key lost
        // again must not re-create the token its retry made, under which readers may have stored before a write.
        // The last attempt's base: what the tokens it created start with.
        String[] base = new String[1];
        List<?> reply = (List<?>) redis.script("lookup", script, keys, () -> {
            List<byte[]> args = new ArrayList<>(versionKeys.length + 2);
            base[0] = VersionTokens.fresh();
            args.add(bytes(base[0]));
            for (int i = 0; i < versionKeys.length; i++) {
                args.add(number(creation[i]));
            }
            args.add(bytes(Integer.toString(maxEntryBytes)));
            return args;
        });
        String[] versions = new String[versionKeys.length];
        String made = base[0] + ":";
        boolean createdOne = false;
        for (int i = 0; i < versions.length; i++) {
            versions[i] = text((byte[]) reply.get(i + 1));
            // A token this call made is its base, ':' and the key's position (lookup.lua); a base is random and new
            // per attempt, so no other token starts with it. A write sequence begun here is not told apart: rare,
            // and only the caller's next guess depends on it.
            createdOne |= versions[i] != null && versions[i].startsWith(made);
        }
        Object entry = reply.get(0);
        if (entry instanceof Long length) {
            return new CacheStore.Lookup(null, versions, length).withCreated(createdOne);
        }
        long ttl = reply.size() > versions.length + 1 && reply.get(versions.length + 1) instanceof Long left
                && left >= 0 ? left : CacheStore.UNKNOWN_TTL;
        long versionsTtl = reply.size() > versions.length + 2 && reply.get(versions.length + 2) instanceof Long left
                && left >= 0 ? left : CacheStore.UNKNOWN_TTL;
        return new CacheStore.Lookup((byte[]) entry, versions, 0, ttl, versionsTtl).withCreated(createdOne);
    }

    private static byte[] number(long value) {
        return value == 0 ? ZERO : value == CacheStore.NEVER_CREATE ? NEVER : bytes(Long.toString(value));
    }
}
