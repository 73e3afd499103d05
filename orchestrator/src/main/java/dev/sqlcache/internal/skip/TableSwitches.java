package dev.sqlcache.internal.skip;

/** Which tables this JVM has switched off as a whole (pinned off, or off by measurement). */
public interface TableSwitches {

    /** Whether any table is, or may soon be, off: until then the write path does nothing for the protocol. */
    boolean anyOff();

    /** Whether the table (its base name, as in its version key) is off as a whole now. */
    boolean off(String baseName);
}
