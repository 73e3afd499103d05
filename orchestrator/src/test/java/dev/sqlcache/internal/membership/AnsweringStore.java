package dev.sqlcache.internal.membership;

import dev.sqlcache.testing.ManualTime;

import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A membership store that answers every renewal until {@link #cutOff()} (then every call fails as an unreachable
 * Redis does) and can drop members early: what the tests of anchors stand a real {@link Membership} on.
 */
public final class AnsweringStore implements MembershipStore {

    /** The store's clock, in milliseconds: what a renewal reports as its time. */
    private final LongSupplier millis;
    private volatile boolean reachable = true;

    /** A store whose clock is the test's {@code time}. */
    public AnsweringStore(ManualTime time) {
        this.millis = () -> time.nanoTime() / 1_000_000;
    }

    /** A store whose clock is the wall clock, as Redis's {@code TIME} is: for a test on real time. */
    public AnsweringStore() {
        this.millis = System::currentTimeMillis;
    }

    /** From now on every call fails. */
    public void cutOff() {
        reachable = false;
    }

    @Override
    public void joinTicket(String ticket, long ticketMillis) {
        answer();
    }

    @Override
    public Renewal renew(String member, String joinTicket, long memberMillis, long fenceMillis, long notAfter,
                         String rememberedEpoch, String registration) {
        answer();
        return new Renewal(millis.getAsLong(), "epoch", Map.of(member, Long.MAX_VALUE));
    }

    @Override
    public boolean dropsEarly() {
        return true;
    }

    @Override
    public String restoreMembers(String epoch, Map<String, Long> members) {
        return epoch;
    }

    @Override
    public void leave(String member) {
    }

    private void answer() {
        if (!reachable) {
            throw new IllegalStateException("cut off");
        }
    }
}
