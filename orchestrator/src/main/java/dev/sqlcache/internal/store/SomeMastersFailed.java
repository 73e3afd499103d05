package dev.sqlcache.internal.store;

import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * An operation run on every master of a Redis Cluster (a flush) that some masters did not answer: how many of how
 * many, and what was done on the others, which {@link RedisFailures} keeps in front of the first failure's own words
 * so that nobody takes a partial flush for a whole one. A connection failure still (the store's retry and back-off
 * see it as before); the first failure is its cause.
 */
final class SomeMastersFailed extends JedisConnectionException {

    private static final long serialVersionUID = 1L;

    private final String summary;

    SomeMastersFailed(int failed, int masters, long done, JedisConnectionException first) {
        super(summary(failed, masters, done) + ": " + first.getMessage(), first);
        this.summary = summary(failed, masters, done);
    }

    private static String summary(int failed, int masters, long done) {
        return failed + " of " + masters + " masters could not be reached (" + done + " done on the others)";
    }

    /** "1 of 3 masters could not be reached (5 done on the others)". */
    String summary() {
        return summary;
    }
}
