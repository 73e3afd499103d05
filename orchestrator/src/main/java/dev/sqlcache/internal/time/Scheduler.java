package dev.sqlcache.internal.time;

/**
 * Runs background work of one cache runtime (membership renewals, redelivery of owed invalidations) on its own
 * thread, so that a frozen store holds back no other store's work. Tests drive it by hand with their clock.
 */
public interface Scheduler extends java.util.concurrent.Executor {

    /** Runs the task once after about {@code delayMillis}; silently dropped once the scheduler is shut down. */
    void schedule(Runnable task, long delayMillis);

    /** Runs the task every {@code periodMillis} (after each run ends) until the scheduler is shut down. */
    void repeat(Runnable task, long periodMillis);

    /**
     * Daemon threads of that name whose context loader pins nothing: the context loader would otherwise pin
     * whatever loader created them (an undeployed webapp's). Every thread sqlcache starts comes from here.
     */
    static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            thread.setContextClassLoader(null);
            return thread;
        };
    }

    /** Runs the task as soon as possible. */
    @Override
    default void execute(Runnable task) {
        schedule(task, 0);
    }
}
