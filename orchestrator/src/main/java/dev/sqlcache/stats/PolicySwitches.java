package dev.sqlcache.stats;

/**
 * What the cache's policy decided by measurement (issue #10): how often statement shapes were switched off (not worth
 * a lookup: their reads bypass with {@link BypassReason#NOT_WORTH_CACHING}) and back on, how many are off now, and
 * how often whole tables were switched off for a while. Pinned tables ({@code sqlcache.tablePolicy}) are never
 * switched. So that a figure that moved with the policy says so (the throughput harness reports it per round).
 *
 * @param shapesOff switches of a statement shape to off
 * @param shapesOn  switches of a statement shape back on
 * @param shapesOffNow statement shapes off now (a gauge: not subtracted by {@link #since})
 * @param tablesOff switches of a whole table to off (each for a period, after which it is on again by itself)
 */
public record PolicySwitches(long shapesOff, long shapesOn, int shapesOffNow, long tablesOff) {

    /** Nothing switched. */
    public static final PolicySwitches NONE = new PolicySwitches(0, 0, 0, 0);

    /** The switches since an earlier figure; the gauge as it is now. */
    public PolicySwitches since(PolicySwitches earlier) {
        return new PolicySwitches(shapesOff - earlier.shapesOff, shapesOn - earlier.shapesOn, shapesOffNow,
                tablesOff - earlier.tablesOff);
    }

    /** Two stretches' switches together; the later gauge ({@code later}'s). */
    public PolicySwitches plus(PolicySwitches later) {
        return new PolicySwitches(shapesOff + later.shapesOff, shapesOn + later.shapesOn, later.shapesOffNow,
                tablesOff + later.tablesOff);
    }
}
