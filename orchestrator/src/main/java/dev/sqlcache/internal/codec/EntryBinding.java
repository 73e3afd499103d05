package dev.sqlcache.internal.codec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

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
     * {@link #IDENTITY}, {@link #BINDING}). A statement executed again with the same values is looked up under the
     * same key, and its binding is then the same 16 bytes: remembering the last one spares a hit two SHA-256 blocks
     * and two byte copies. Creating a digest per lookup would allocate on the hit path. Only JDK classes (an
     * {@code Object[]}), so an application server's pooled thread keeps no application class loader alive through it.
     */
    private static final ThreadLocal<Object[]> LAST = ThreadLocal.withInitial(
            () -> new Object[] {newDigest(), null, null, null});
    private static final int DIGEST = 0;
    private static final int KEY = 1;
    private static final int IDENTITY = 2;
    private static final int BINDING = 3;

    private EntryBinding() {
    }

    /**
     * @param entryKey         the full Redis key the entry is stored under
     * @param databaseIdentity the database's identity as the engine names it (its version key)
     * @return the binding; shared with later calls for the same key on this thread: read it, never change it
     */
    public static byte[] of(String entryKey, String databaseIdentity) {
        Object[] last = LAST.get();
        if (entryKey.equals(last[KEY]) && databaseIdentity.equals(last[IDENTITY])) {
            return (byte[]) last[BINDING];
        }
        MessageDigest md = (MessageDigest) last[DIGEST];
        md.reset();
        md.update(DOMAIN);
        md.update(entryKey.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(databaseIdentity.getBytes(StandardCharsets.UTF_8));
        byte[] full = md.digest();
        byte[] binding = new byte[LENGTH];
        System.arraycopy(full, 0, binding, 0, LENGTH);
        last[KEY] = entryKey;
        last[IDENTITY] = databaseIdentity;
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
