package dev.sqlcache.internal.codec;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * What an entry answers, written inside it: a digest of its full Redis key and of the database identity. A value
 * moved to another key (another query's, another table's, another database's, another environment's) no longer
 * matches the key it is read under, so it is a miss. The key's own hash already covers the database; the identity
 * is bound as well so that the binding does not rest on how keys happen to be built.
 */
public final class EntryBinding {

    /** Bytes of a binding: 128 bits of SHA-256. */
    public static final int LENGTH = 16;
    private static final byte[] DOMAIN = "sqlcache-entry-binding\0".getBytes(StandardCharsets.US_ASCII);
    /**
     * Per thread: the digest, and the last key, identity and binding it made ({@link #DIGEST}, {@link #KEY},
     * {@link #IDENTITY}, {@link #BINDING}), the identity's UTF-8 ({@link #IDENTITY_BYTES}) and the digest's output
     * ({@link #OUTPUT}). A statement executed again with the same values is looked up under the same key, and its
     * binding is then the same 16 bytes: remembering the last one spares a hit two SHA-256 blocks and two byte
     * copies. A new key (other values) still spares encoding the identity, the same for every key of the engine, and
     * a 32-byte array for the digest. Creating a digest per lookup would allocate on the hit path. Only JDK classes
     * (an {@code Object[]}), so an application server's pooled thread keeps no application class loader alive
     * through it.
     */
    private static final ThreadLocal<Object[]> LAST = ThreadLocal.withInitial(
            () -> new Object[] {newDigest(), null, null, null, null, new byte[32]});
    private static final int DIGEST = 0;
    private static final int KEY = 1;
    private static final int IDENTITY = 2;
    private static final int BINDING = 3;
    private static final int IDENTITY_BYTES = 4;
    private static final int OUTPUT = 5;

    private EntryBinding() {
    }

    /**
     * @param entryKey         the full Redis key the entry is stored under
     * @param databaseIdentity the database's identity as the engine names it (its version key)
     * @return the binding; shared with later calls for the same key on this thread: read it, never change it
     */
    public static byte[] of(String entryKey, String databaseIdentity) {
        Object[] last = LAST.get();
        boolean sameIdentity = databaseIdentity.equals(last[IDENTITY]);
        if (sameIdentity && entryKey.equals(last[KEY])) {
            return (byte[]) last[BINDING];
        }
        if (!sameIdentity) {
            // Forgotten first: no binding is remembered for the new identity until one is made for it below.
            last[KEY] = null;
            last[IDENTITY_BYTES] = databaseIdentity.getBytes(StandardCharsets.UTF_8);
            last[IDENTITY] = databaseIdentity;
        }
        MessageDigest md = (MessageDigest) last[DIGEST];
        md.reset();
        md.update(DOMAIN);
        md.update(entryKey.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update((byte[]) last[IDENTITY_BYTES]);
        byte[] full = (byte[]) last[OUTPUT];
        try {
            md.digest(full, 0, full.length);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 gives 32 bytes", e);
        }
        byte[] binding = Arrays.copyOf(full, LENGTH);
        last[KEY] = entryKey;
        last[BINDING] = binding;
        return binding;
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
