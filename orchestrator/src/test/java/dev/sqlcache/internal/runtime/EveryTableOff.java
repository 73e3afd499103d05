package dev.sqlcache.internal.runtime;

import dev.sqlcache.internal.skip.TableSwitches;

/** Switches that say every table is off, so that the skip guard under test considers every write's table. */
final class EveryTableOff implements TableSwitches {

    @Override
    public boolean anyOff() {
        return true;
    }

    @Override
    public boolean off(String baseName) {
        return true;
    }
}
