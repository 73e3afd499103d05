package dev.sqlcache.internal.skip;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One generation of a table's permit: from a grant until the permit is found lost or released. A write that skips
 * holds the generation it began under; one that ends under another bumps (or, in a transaction, leases before its
 * commit). Its own in-flight count, so that a permit released or lost with writes still open can end, and a later
 * one is not kept by writes it never covered, nor ended while writes of its own run.
 */
final class SkipGeneration {

    /** The permit's lease token (a lost permit's next generation keeps it: the renewal has nothing else to name). */
    final String token;
    /** The skipping writes in flight under this generation. */
    final AtomicInteger inFlight = new AtomicInteger();
    /** The stand checks of its writes' ends, shared by the writes that end together. */
    final StandCheck check = new StandCheck();

    SkipGeneration(String token) {
        this.token = token;
    }
}
