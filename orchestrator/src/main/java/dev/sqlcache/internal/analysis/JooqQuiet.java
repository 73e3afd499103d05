package dev.sqlcache.internal.analysis;

/**
 * Keeps jOOQ's ASCII logo and "tip of the day" out of the application's log: jOOQ prints them on its first render
 * unless these system properties are set, and an application that merely uses a JDBC driver has no reason to know
 * that it contains jOOQ.
 *
 * <p>In the shaded {@code sqlcache-jdbc} jar the property names below are relocated together with jOOQ
 * ({@code dev.sqlcache.internal.shaded.org.jooq.no-logo}), so this affects only sqlcache's private jOOQ and never the
 * application's own. With the modular artifacts jOOQ is shared, and so is the setting. A value the application set
 * itself is left alone.
 */
final class JooqQuiet {

    static final String NO_LOGO = "org.jooq.no-logo";
    static final String NO_TIPS = "org.jooq.no-tips";

    private JooqQuiet() {
    }

    /** Must run before jOOQ renders anything; {@link QueryAnalyzer}'s static initialiser calls it. */
    static void apply() {
        try {
            setIfAbsent(NO_LOGO);
            setIfAbsent(NO_TIPS);
        } catch (SecurityException e) {
            // A security manager may forbid it: the logo is cosmetic, the driver works either way.
        }
    }

    private static void setIfAbsent(String property) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, "true");
        }
    }
}
