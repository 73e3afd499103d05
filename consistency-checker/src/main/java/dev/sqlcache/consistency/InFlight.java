package dev.sqlcache.consistency;

/**
 * The keys the current write of one writer thread is changing, entered in {@link Watermarks} before its first
 * statement. It {@link #land lands} once the watermarks are raised after the commit returned, or once the
 * transaction certainly rolled back (a deadlock, a serialization failure, a lock timeout). A write that failed
 * otherwise is {@link #abandon abandoned}: whether it committed is unknown, so its keys stay in flight and are
 * never again checked exactly.
 */
final class InFlight {

    private static final int[] NONE = {};

    private final Watermarks watermarks;
    private int[] slots = NONE;

    InFlight(Watermarks watermarks) {
        this.watermarks = watermarks;
    }

    void enter(int... keys) {
        land();
        for (int slot : keys) {
            watermarks.enter(slot);
        }
        slots = keys;
    }

    void land() {
        for (int slot : slots) {
            watermarks.leave(slot);
        }
        slots = NONE;
    }

    void abandon() {
        slots = NONE;
    }
}
