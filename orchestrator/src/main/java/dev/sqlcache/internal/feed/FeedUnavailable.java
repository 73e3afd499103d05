package dev.sqlcache.internal.feed;

/**
 * The feed cannot run against this database with these credentials, and trying again will not change that until
 * someone changes the server or the role: {@code wal_level} is not {@code logical}, the user may not replicate, the
 * output plugin is missing, the slot's name is taken by another plugin or database.
 */
final class FeedUnavailable extends Exception {

    FeedUnavailable(String reason) {
        super(reason, null, false, false);
    }
}
