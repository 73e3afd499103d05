package dev.sqlcache.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-phase fractions and the time to the first hit, from answers counted per tick and a fault's window. */
class PhasesTest {

    private static final long BASE = 17_000_000_000L; // a tick in 2023, as the wall clock gives

    @Test
    void splitsTheRunAroundAFaultAndFindsTheFirstHitAfterIt() {
        Report report = new Report();
        for (long tick = BASE; tick < BASE + 30; tick++) {
            report.add(Phases.ANSWERS + tick, 10);
            boolean during = tick >= BASE + 10 && tick < BASE + 20;
            boolean afterButNotYet = tick >= BASE + 20 && tick < BASE + 23;
            if (!during && !afterButNotYet) {
                report.add(Phases.HITS + tick, 5);
            }
        }
        // The fault from the middle of tick 10 to the middle of tick 20: ticks are counted by where they start.
        report.fault("kill", (BASE + 10) * Phases.TICK_MILLIS - 50, (BASE + 20) * Phases.TICK_MILLIS - 50);

        Phases.addTo(report);

        assertEquals(100, report.get("phase.00 before kill.reads"));
        assertEquals(50, report.get("phase.00 before kill.hits"));
        assertEquals(100, report.get("phase.01 during kill.reads"));
        assertEquals(0, report.get("phase.01 during kill.hits"));
        assertEquals(1000, report.get("phase.01 during kill.longestWithoutHitMillis"));
        assertEquals(350, report.get("phase.01 kill.resumedAfterMillis"));
        assertEquals(100, report.get("phase.02 after kill.reads"));
        assertEquals(35, report.get("phase.02 after kill.hits"));
        assertEquals(300, report.get("phase.02 after kill.longestWithoutHitMillis"));
        String summary = report.summary();
        assertTrue(summary.contains("phase 02 after kill: 35/100 reads from the cache (35.0%), at most 300 ms without "
                + "a hit"), summary);
        assertTrue(summary.contains("phase 01 kill: first hit 350 ms after its end"), summary);
    }

    @Test
    void noFaultNoPhases() {
        Report report = new Report();
        report.answered(true);
        Phases.addTo(report);
        assertTrue(report.counters().keySet().stream().noneMatch(k -> k.startsWith(Phases.PHASE)));
    }
}
