package dev.sqlcache.internal.store;

/**
 * A store failure that says the settings are wrong rather than the moment: the server answered, and will answer the
 * same way until someone changes a setting or the server's configuration (an ACL, a password, a Cluster node or a
 * Sentinel given as a plain server, TLS spoken to a plain port or plain text to a TLS port).
 *
 * @param cause  what the server said, in words an operator can act on
 * @param fix    the setting (or server configuration) to change
 * @param notRun true when the command certainly did not run (refused before execution); false when it may have run
 *               in part (a command refused inside a script, after the script's first writes)
 */
public record Misconfiguration(String cause, String fix, boolean notRun) {

    /** The misconfiguration a failure carries, looking through its causes; {@code null} for any other failure. */
    public static Misconfiguration of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CacheStoreException store && store.misconfiguration() != null) {
                return store.misconfiguration();
            }
        }
        return null;
    }
}
