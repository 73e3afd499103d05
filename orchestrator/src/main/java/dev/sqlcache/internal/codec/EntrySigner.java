package dev.sqlcache.internal.codec;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs entries with HMAC-SHA256 and checks their MAC before anything in them is read: with a signing key
 * configured, only a holder of a key can make an entry this JVM serves. Several keys allow rotation: entries are
 * signed with the first and accepted under any. The MAC covers the format bytes and everything after the MAC
 * itself, which includes the binding (the digest of the entry's key), so it signs key and content together.
 *
 * <p>The keys never appear in {@link #toString()}, logs or keys. Thread-safe.
 */
public final class EntrySigner {

    /** Bytes of a MAC. */
    public static final int MAC_LENGTH = 32;
    /** Where the MAC sits in an entry: after the version and flag bytes. */
    private static final int AT = 2;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec[] keys;
    /**
     * One {@code Mac} per key, keyed once here: each thread's own is a clone of it, so that no thread looks up
     * providers or derives the key's pads again ({@code Mac.getInstance} and {@code init}). Never updated after the
     * constructor, so cloning it from several threads at once is safe.
     */
    private final Mac[] prototypes;
    /**
     * One keyed {@code Mac} per key per thread, reused by every hit of that thread ({@code doFinal} resets it to the
     * keyed state, never re-initialising it). JDK classes only, so pooled threads pin no class loader.
     */
    private final ThreadLocal<Mac[]> macs;
    /** Where a thread computes a MAC to compare. */
    private static final ThreadLocal<byte[]> COMPUTED = ThreadLocal.withInitial(() -> new byte[MAC_LENGTH]);

    /** @param keys the raw keys, the one to sign with first; at least one */
    public EntrySigner(List<byte[]> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no signing key");
        }
        this.keys = new SecretKeySpec[keys.size()];
        for (int i = 0; i < this.keys.length; i++) {
            this.keys[i] = new SecretKeySpec(keys.get(i), ALGORITHM);
        }
        this.prototypes = new Mac[this.keys.length];
        for (int i = 0; i < this.keys.length; i++) {
            // Fails here, at configuration, if the JVM lacks HMAC-SHA256 or refuses a key.
            prototypes[i] = keyed(this.keys[i]);
        }
        int count = this.keys.length;
        this.macs = ThreadLocal.withInitial(() -> new Mac[count]);
    }

    /** Writes the MAC of an encoded entry (its slot already reserved) with the first key. */
    void sign(byte[] entry) {
        byte[] mac = compute(0, entry);
        System.arraycopy(mac, 0, entry, AT, MAC_LENGTH);
    }

    /** Whether the entry's MAC was made by one of the keys; constant time per key. */
    boolean verify(byte[] entry) {
        if (entry.length < AT + MAC_LENGTH) {
            return false;
        }
        byte[] computed = COMPUTED.get();
        for (int k = 0; k < keys.length; k++) {
            Mac mac = mac(k);
            mac.update(entry, 0, AT);
            mac.update(entry, AT + MAC_LENGTH, entry.length - AT - MAC_LENGTH);
            try {
                mac.doFinal(computed, 0);
            } catch (javax.crypto.ShortBufferException e) {
                throw new IllegalStateException("an HMAC-SHA256 is " + MAC_LENGTH + " bytes", e);
            }
            // Every byte compared whatever the first difference, as MessageDigest.isEqual does, without a copy.
            int difference = 0;
            for (int i = 0; i < MAC_LENGTH; i++) {
                difference |= entry[AT + i] ^ computed[i];
            }
            if (difference == 0) {
                return true;
            }
        }
        return false;
    }

    private byte[] compute(int key, byte[] entry) {
        Mac mac = mac(key);
        mac.update(entry, 0, AT);
        mac.update(entry, AT + MAC_LENGTH, entry.length - AT - MAC_LENGTH);
        return mac.doFinal();
    }

    private Mac mac(int key) {
        Mac[] perThread = macs.get();
        Mac mac = perThread[key];
        if (mac == null) {
            try {
                mac = (Mac) prototypes[key].clone();
            } catch (CloneNotSupportedException e) {
                mac = keyed(keys[key]); // a provider whose Mac cannot be cloned: keyed again, once per thread
            }
            perThread[key] = mac;
        }
        return mac;
    }

    private static Mac keyed(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("unusable signing key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is required of every JVM", e);
        }
    }

    @Override
    public String toString() {
        return "EntrySigner[" + keys.length + " key(s)]";
    }
}
