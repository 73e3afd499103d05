package dev.sqlcache.internal.feed;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The name of a database's replication slot for one Redis deployment: {@code sqlcache_<database>_<hash>}, where
 * the hash covers the database's identity and the store's address. Two deployments must never share a slot (each
 * would confirm positions the other had not applied), and the JVMs of one deployment must all find the same one.
 * Slot names allow lower-case letters, digits and underscores, at most 63 characters.
 */
final class SlotName {

    static final String PREFIX = "sqlcache_";
    private static final int MAX_LENGTH = 63;
    private static final int HASH_CHARS = 16;

    private SlotName() {
    }

    /**
     * @param databaseName     {@code current_database()}, for people reading {@code pg_replication_slots}
     * @param databaseIdentity the engine's identity of the database (what its version keys are named after)
     * @param store            the store's description (address, database number; never a password)
     */
    static String of(String databaseName, String databaseIdentity, String store) {
        String readable = databaseName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        int room = MAX_LENGTH - PREFIX.length() - 1 - HASH_CHARS;
        if (readable.length() > room) {
            readable = readable.substring(0, room);
        }
        return PREFIX + readable + "_" + hash(databaseIdentity + "\n" + store);
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, HASH_CHARS / 2);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
