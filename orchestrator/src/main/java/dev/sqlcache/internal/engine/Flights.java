package dev.sqlcache.internal.engine;

import dev.sqlcache.internal.codec.CachedResult;
import dev.sqlcache.internal.codec.ResultCodec;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Single flight: concurrent misses of one entry in this JVM run the query once. The first miss that may store
 * leads; a later miss of the same key follows only if the tokens its own lookup read are exactly the leader's
 * (the write sequence aside, as for any hit). Then no write's lease or bump landed between the two lookups, so any
 * write that committed before the follower's lookup had committed before the leader's too, and the leader's query,
 * which ran after its lookup, answers for the follower as a hit computed under those tokens would.
 *
 * <p>The leader learns when its query returns whether anyone follows. If not, nothing changes: its application
 * reads the live result at its own pace and it is copied as it goes. If so, the leader reads the whole result itself
 * (never at its application's pace, which could keep the followers waiting), hands it to them and stores it. A
 * follower waits at most {@link #WAIT_NANOS}; then, or when the leader gives up, it runs the query itself.
 */
final class Flights {

    /** The longest a follower waits for its leader before it runs the query itself. */
    static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();

    /** Takes the lead for {@code key}, or returns null when another miss of it is already in flight. */
    Flight lead(String key, String[] tokens) {
        Flight flight = new Flight(key, tokens);
        return flights.putIfAbsent(key, flight) == null ? flight : null;
    }

    /** The flight in progress for {@code key}, or null. */
    Flight current(String key) {
        return flights.get(key);
    }

    /** One leader's query and the misses waiting for it. */
    final class Flight {
        private final String key;
        private final String[] tokens;
        private int followers;
        /** Whether a miss may still join: until the leader, once its query returned, found nobody waiting. */
        private boolean open = true;
        private boolean ended;
        private CachedResult result;

        private Flight(String key, String[] tokens) {
            this.key = key;
            this.tokens = tokens;
        }

        /** Joins, if the lookup that missed read exactly the leader's tokens and the flight still takes followers. */
        synchronized boolean join(String[] readTokens) {
            if (!open || !ResultCodec.sameTokens(tokens, readTokens, CacheEngine.SEQUENCE_INDEX)) {
                return false;
            }
            followers++;
            return true;
        }

        /**
         * The leader's query returned: whether anyone waits for its result. When nobody does the flight ends here
         * and the leader goes on as an ordinary miss.
         */
        synchronized boolean followed() {
            if (followers > 0) {
                return true;
            }
            end(null);
            return false;
        }

        /** The leader's result, or null when it gave up (failed, too large, uncacheable): wakes the followers. */
        synchronized void end(CachedResult shared) {
            if (ended) {
                return;
            }
            ended = true;
            open = false;
            result = shared;
            flights.remove(key, this);
            notifyAll();
        }

        /**
         * The leader's result, or null when it gave up or took longer than {@link #WAIT_NANOS} (then the follower
         * runs the query itself). An interrupt ends the wait early and is kept.
         */
        synchronized CachedResult await() {
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (!ended) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return result;
        }
    }
}
