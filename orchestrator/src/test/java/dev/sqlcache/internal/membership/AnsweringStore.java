package dev.sqlcache.internal.membership;

import dev.sqlcache.testing.ManualTime;

import java.util.Map;

/**
 * A membership store that answers every renewal until {@link #cutOff()} (then every call fails as an unreachable
 * Redis does) and can drop members early: what the tests of anchors stand a real {@link Membership} on.
 */
public final class AnsweringStore implements MembershipStore {

    private final ManualTime time;
    private volatile boolean reachable = true;

    public AnsweringStore(ManualTime time) {
        this.time = time;
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
                         String rememberedEpoch) {
        answer();
        return new Renewal(time.nanoTime() / 1_000_000, "epoch", Map.of(member, Long.MAX_VALUE));
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
