package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.ColumnsMemo;
import dev.sqlcache.internal.codec.CorruptEntryException;
import dev.sqlcache.internal.codec.EntryBinding;
import dev.sqlcache.internal.codec.EntrySigner;
import dev.sqlcache.internal.codec.ResultCodec;
import dev.sqlcache.stats.EntryRejection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entries of one engine as bytes in the store: encoded bound to their key and the database (and signed when
 * a signing key is configured), and read back as hostile input, every refusal counted by cause and reported. Never
 * throws at the caller: whatever is wrong with an entry makes it a miss.
 */
final class Entries {

    private static final Logger LOG = LoggerFactory.getLogger(Entries.class);

    private final String databaseIdentity;
    private final EntrySigner signer;
    private final StatisticsRecorder statistics;
    private final RejectionLog log;

    /**
     * @param databaseIdentity what names the database in keys (its version key)
     * @param signer           the signing keys, or {@code null} when entries are not signed
     */
    Entries(String databaseIdentity, EntrySigner signer, StatisticsRecorder statistics, RejectionLog log) {
        this.databaseIdentity = databaseIdentity;
        this.signer = signer;
        this.statistics = statistics;
        this.log = log;
    }

    byte[] encode(String key, String[] tokens, CachedResult result) {
        return ResultCodec.encode(EntryBinding.of(key, databaseIdentity), tokens, result, signer);
    }

    /**
     * The entry's result if it is a genuine entry of this key computed under these tokens (but the one at
     * {@code ignoredIndex}, which must pass {@code recordedCheck} instead, when that is not null); {@code null} when
     * it is stale, of an older format, or refused (counted and reported).
     *
     * @param columns the columns last decoded for the statement, reused when the entry's are the same bytes
     */
    CachedResult readIfCurrent(String key, byte[] entry, String[] tokens, int ignoredIndex,
                               java.util.function.Predicate<String> recordedCheck, ColumnsMemo columns) {
        try {
            return ResultCodec.decodeIfCurrent(entry, EntryBinding.of(key, databaseIdentity), tokens, signer,
                    ignoredIndex, recordedCheck, columns);
        } catch (CorruptEntryException e) {
            return refused(key, e);
        }
    }

    /**
     * {@link #readIfCurrent(String, byte[], String[], int, java.util.function.Predicate, ColumnsMemo)} for an ordinary
     * read (nothing checked of the token at {@code ignoredIndex}) whose tokens are the bytes the store read: compared
     * with the entry's as bytes, none decoded.
     */
    CachedResult readIfCurrent(String key, byte[] entry, byte[][] encodedTokens, int ignoredIndex,
                               ColumnsMemo columns) {
        try {
            return ResultCodec.decodeIfCurrent(entry, EntryBinding.of(key, databaseIdentity), encodedTokens, signer,
                    ignoredIndex, columns);
        } catch (CorruptEntryException e) {
            return refused(key, e);
        }
    }

    /** A miss: an entry of an older format (not counted), or one the codec refused (counted and reported). */
    private CachedResult refused(String key, CorruptEntryException e) {
        if (e.rejection() == null) {
            LOG.debug("sqlcache: {} is an entry of an older format, treated as a miss", key);
        } else {
            rejected(e.rejection(), key, e.getMessage());
        }
        return null;
    }

    /** An entry refused before it was read (too large to transfer), or by the codec. */
    void rejected(EntryRejection cause, String key, String detail) {
        statistics.rejected(cause);
        log.rejected(cause, key, detail);
    }
}
