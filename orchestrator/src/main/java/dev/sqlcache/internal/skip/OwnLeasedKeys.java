package dev.sqlcache.internal.skip;

/**
 * Which version keys this JVM's own auto-commit writes lease right now, from just before their lease is sent until
 * their end has returned (the engine's {@code OwnLeases}). A grant waits for them to be gone from a table's keys
 * before it asks, so that this JVM's own writes do not keep its table leased for ever (issue #10).
 */
@FunctionalInterface
public interface OwnLeasedKeys {

    /** Whether a write of this JVM leases one of {@code keys} right now. */
    boolean anyOf(String[] keys);

    /** For a guard that knows none (tests that drive it alone). */
    OwnLeasedKeys NONE = keys -> false;
}
