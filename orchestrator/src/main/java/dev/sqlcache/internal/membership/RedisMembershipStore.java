package dev.sqlcache.internal.membership;

import static dev.sqlcache.internal.store.RedisCommands.bytes;
import static dev.sqlcache.internal.store.RedisCommands.text;

import dev.sqlcache.internal.store.RedisCommands;
import dev.sqlcache.internal.store.RedisScript;
import dev.sqlcache.internal.store.VersionTokens;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Membership on Redis: each operation one script, judged by the server's clock. */
public final class RedisMembershipStore implements MembershipStore {

    private static final RedisScript RENEW = RedisScript.load(RedisMembershipStore.class, RedisScript.SERVER_CLOCK,
            "fence_run.lua", "fence_helpers.lua", "renew.lua");
    private static final RedisScript RENEW_ON_CLUSTER = RedisScript.load(RedisMembershipStore.class,
            RedisScript.SERVER_CLOCK, "fence_run_cluster.lua", "fence_helpers.lua", "renew.lua");
    private static final RedisScript DROP = RedisScript.load(RedisMembershipStore.class, RedisScript.SERVER_CLOCK,
            "fence_run.lua", "fence_helpers.lua", "drop.lua");
    private static final RedisScript DROP_ON_CLUSTER = RedisScript.load(RedisMembershipStore.class,
            RedisScript.SERVER_CLOCK, "fence_run_cluster.lua", "fence_helpers.lua", "drop.lua");
    private static final RedisScript REGISTRATION = RedisScript.load(RedisMembershipStore.class, "fence_run.lua",
            "registration.lua");
    private static final RedisScript REGISTRATION_ON_CLUSTER = RedisScript.load(RedisMembershipStore.class,
            "fence_run_cluster.lua", "registration.lua");
    private static final RedisScript RESTORE = RedisScript.load(RedisMembershipStore.class, "restore.lua");
    private static final RedisScript TICKET = RedisScript.load(RedisMembershipStore.class, "ticket.lua");
    private static final RedisScript LEAVE = RedisScript.load(RedisMembershipStore.class, RedisScript.SERVER_CLOCK,
            "fence_run.lua", "fence_helpers.lua", "leave.lua");
    private static final RedisScript LEAVE_ON_CLUSTER = RedisScript.load(RedisMembershipStore.class,
            RedisScript.SERVER_CLOCK, "fence_run_cluster.lua", "fence_helpers.lua", "leave.lua");

    private final RedisCommands redis;
    /**
     * {@link RedisCommands#primaryChanges()} as read before the last restore: a renewal after a later change of
     * primary asks for a restore first.
     */
    private volatile long primaryChangesRestored;

    public RedisMembershipStore(RedisCommands redis) {
        this.redis = redis;
    }

    @Override
    public void joinTicket(String ticket, long ticketMillis) {
        redis.script("joinTicket", TICKET, List.of(bytes(TICKET_PREFIX + ticket)),
                List.of(bytes(Long.toString(Math.max(1, ticketMillis)))));
    }

    @Override
    public Renewal renew(String member, String joinTicket, long memberMillis, long fenceMillis, long notAfter,
                         String rememberedEpoch, String registration) {
        if (rememberedEpoch != null && !rememberedEpoch.isEmpty()
                && redis.primaryChanges() != primaryChangesRestored) {
            // Sentinel promoted a replica, which may lack the last joins (replication is asynchronous): a member
            // that joined just before and is cut off now would be forgotten, and the fence would come back while
            // its writes stay invisible. Treated like a lost set: the caller puts back what it remembers first.
            return new Renewal(Renewal.RESTORE, null, Map.of());
        }
        boolean join = joinTicket != null;
        List<byte[]> keys = List.of(bytes(MEMBERS_KEY), bytes(FENCE_KEY),
                bytes(join ? TICKET_PREFIX + joinTicket : TICKET_PREFIX), bytes(REGISTRATIONS_KEY));
        // The fresh token (a fence or an epoch made here) drawn for each attempt: a first attempt landing after its
        // retry must not bring back a fence holders saw before it was deleted (RedisCommands.script).
        List<?> reply = (List<?>) redis.script("renewMembership", redis.cluster() ? RENEW_ON_CLUSTER : RENEW, keys,
                () -> List.of(bytes(member), bytes(join ? "1" : "0"), bytes(Long.toString(memberMillis)),
                        bytes(Long.toString(fenceMillis)), bytes(VersionTokens.fresh()),
                        bytes(Long.toString(Math.max(NO_CAP, notAfter))),
                        bytes(rememberedEpoch == null ? "" : rememberedEpoch),
                        bytes(registration == null ? "" : registration)));
        long at = (Long) reply.get(0);
        if (at < 0) {
            return new Renewal(at, null, Map.of());
        }
        Map<String, Long> members = new LinkedHashMap<>();
        for (int i = 2; i + 1 < reply.size(); i += 2) {
            members.put(text((byte[]) reply.get(i)), (long) Double.parseDouble(text((byte[]) reply.get(i + 1))));
        }
        return new Renewal(at, text((byte[]) reply.get(1)), members);
    }

    @Override
    public boolean dropsEarly() {
        return true;
    }

    @Override
    public String registration(String member) {
        Object reply = redis.script("memberRegistration",
                redis.cluster() ? REGISTRATION_ON_CLUSTER : REGISTRATION, List.of(bytes(REGISTRATIONS_KEY)),
                List.of(bytes(member)));
        return reply instanceof byte[] value ? text(value) : null;
    }

    @Override
    public boolean dropIfStillLapsed(String member, long lapse) {
        List<byte[]> keys = List.of(bytes(MEMBERS_KEY), bytes(FENCE_KEY), bytes(REGISTRATIONS_KEY));
        Object reply = redis.script("dropLapsedMember", redis.cluster() ? DROP_ON_CLUSTER : DROP, keys,
                () -> List.of(bytes(member), bytes(Long.toString(lapse)), bytes(VersionTokens.fresh())));
        return reply instanceof Long dropped && dropped == 1;
    }

    @Override
    public String restoreMembers(String epoch, Map<String, Long> members) {
        long primaryChanges = redis.primaryChanges();
        List<byte[]> keys = List.of(bytes(MEMBERS_KEY), bytes(FENCE_KEY));
        List<byte[]> args = new ArrayList<>(1 + 2 * members.size());
        args.add(bytes(epoch));
        members.forEach((member, lapse) -> {
            args.add(bytes(member));
            args.add(bytes(Long.toString(lapse)));
        });
        String restored = text((byte[]) redis.script("restoreMembers", RESTORE, keys, args));
        primaryChangesRestored = primaryChanges;
        return restored;
    }

    @Override
    public void leave(String member) {
        List<byte[]> keys = List.of(bytes(MEMBERS_KEY), bytes(FENCE_KEY), bytes(REGISTRATIONS_KEY));
        redis.script("leaveMembership", redis.cluster() ? LEAVE_ON_CLUSTER : LEAVE, keys,
                () -> List.of(bytes(member), bytes(VersionTokens.fresh())));
    }
}
