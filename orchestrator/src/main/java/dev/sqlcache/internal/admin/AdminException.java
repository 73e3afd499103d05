package dev.sqlcache.internal.admin;

/**
 * A failure the admin command line reports as one line on stderr, with its exit code: {@link #USAGE} when the
 * command line or the configuration is wrong, {@link #RUNTIME} when Redis is unreachable or refuses.
 */
final class AdminException extends Exception {

    /** The command line or the settings are wrong; nothing was done. */
    static final int USAGE = 2;
    /** Redis could not be reached or answered with an error. */
    static final int RUNTIME = 1;

    private final int exitCode;

    private AdminException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    static AdminException usage(String message) {
        return new AdminException(message, USAGE, null);
    }

    static AdminException runtime(String message, Throwable cause) {
        return new AdminException(message, RUNTIME, cause);
    }

    int exitCode() {
        return exitCode;
    }
}
