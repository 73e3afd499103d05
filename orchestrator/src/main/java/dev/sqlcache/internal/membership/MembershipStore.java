package dev.sqlcache.internal.membership;

import java.util.Map;

/**
 * The store's side of membership: the set of JVMs sharing a store and the fence that lives only while all of them
 * renew (see {@link Membership} for why). Implemented in Lua on Redis ({@link RedisMembershipStore}) and in Java for
 * the in-process store ({@link InMemoryMembershipStore}); both run the same contract tests. Every method may throw
 * {@code CacheStoreException}.
 */
public interface MembershipStore {

    /**
     * The version key every cached entry also depends on. It exists only while every JVM that joined the store
     * keeps renewing its membership: when one stops (it crashed, or it is cut off from the store and so cannot
     * invalidate what it writes), the key disappears, readers in every JVM stop using the cache, and when it comes
     * back it has a fresh token, so nothing stored before can match again. Readers never create it.
     */
    String FENCE_KEY = "sql:_members:fence";

    /** The sorted set of members, each scored by the store-clock time its membership lapses. */
    String MEMBERS_KEY = "sql:_members";

    /**
     * The hash of the members' registrations: per member, the databases whose sessions tell whether it is still
     * running ({@link DatabaseRegistration}). Written by renewals, removed with the member.
     */
    String REGISTRATIONS_KEY = "sql:_members:dbs";

    /** Prefix of the short-lived keys that admit one join each ({@link #joinTicket}). */
    String TICKET_PREFIX = "sql:_members:ticket:";

    /** No cap on a renewal ({@link #renew}). */
    long NO_CAP = 0;

    /**
     * Issues a ticket that admits one join within {@code ticketMillis} (store clock). A join sent without one, or
     * delivered late (after a freeze), is refused: so a JVM whose join went unanswered knows the latest moment it
     * may have become a member, and can bound its membership as it bounds a renewal.
     */
    void joinTicket(String ticket, long ticketMillis);

    /**
     * Renews (or, with {@code joinTicket}, starts) a JVM's membership for {@code memberMillis} from now, store clock.
     * Members lapsed for longer than {@code fenceMillis} are dropped (their writes can no longer be told apart from
     * anyone's, so the fence comes back with a fresh token). Keeps {@link #FENCE_KEY} alive exactly until the
     * earliest membership lapses, or deletes it while a lapsed member remains. Renewing never revives a lapsed
     * membership, so a renewal delivered late cannot prolong it. Also reports what the member must remember to
     * survive the store losing its data: the set's epoch and every member with its lapse time.
     *
     * @param joinTicket      null to renew; a ticket from {@link #joinTicket} to join (consumed)
     * @param notAfter        for a renewal, the store-clock time (ms) the membership may not outlast, as the member
     *                        derived it from a renewal that was answered ({@link #NO_CAP} for none): however many
     *                        unanswered renewals land late, each one while the membership is still alive, none
     *                        takes it past that moment
     * @param rememberedEpoch the epoch of the last renewal this member saw answered, or "" for none: when the set
     *                        has another epoch (or none), the store lost the set, nothing is changed and the answer
     *                        is {@link Renewal#RESTORE}; the member then puts back what it remembers
     *                        ({@link #restoreMembers}) so that a member cut off during the loss is not forgotten;
     *                        likewise, before its first renewal on a new primary (Sentinel), which may lack the
     *                        last joins
     * @param registration    the member's database registration ({@link DatabaseRegistration}), recorded if the
     *                        member is alive afterwards; "" leaves it as it is. A store that cannot drop members
     *                        early ignores it.
     */
    Renewal renew(String member, String joinTicket, long memberMillis, long fenceMillis, long notAfter,
                  String rememberedEpoch, String registration);

    /** {@link #renew(String, String, long, long, long, String, String)} leaving the registration as it is. */
    default Renewal renew(String member, String joinTicket, long memberMillis, long fenceMillis, long notAfter,
                          String rememberedEpoch) {
        return renew(member, joinTicket, memberMillis, fenceMillis, notAfter, rememberedEpoch, "");
    }

    /** Whether this store keeps registrations and drops members early ({@link #dropIfStillLapsed}). */
    default boolean dropsEarly() {
        return false;
    }

    /** A member's registration as its last renewal that left it alive wrote it; null when none. */
    default String registration(String member) {
        return null;
    }

    /**
     * Drops a member whose lapse is still {@code lapse} and has passed (store clock): another member found every
     * database session it registered gone. A member that joined again meanwhile has another lapse and stays.
     *
     * @return whether it was dropped
     */
    default boolean dropIfStillLapsed(String member, long lapse) {
        return false;
    }

    /**
     * Puts remembered members back with their lapse times (never over a newer entry) after the store lost the
     * set, and takes the fence down (what it guarded may be lost with the data; it comes back fresh).
     *
     * @return the set's epoch from now on
     */
    String restoreMembers(String epoch, Map<String, Long> members);

    /** Ends a membership on a clean shutdown, so that leaving does not fence the others. */
    void leave(String member);

    /**
     * What a renewal answered.
     *
     * @param at      the store-clock time (ms) it ran, when the member is alive afterwards; {@link #LAPSED} when
     *                the membership had lapsed or was dropped, or the ticket had expired (the member must deliver
     *                what it owes and join again); {@link #RESTORE} when the set must be put back first
     * @param epoch   the set's epoch (remember it)
     * @param members every member and its lapse time (remember them)
     */
    record Renewal(long at, String epoch, Map<String, Long> members) {
        /** The membership had lapsed or was dropped, or the join ticket had expired: join again. */
        public static final long LAPSED = -1;
        /** The store lost the set since the member's last renewal: restore it, then renew. */
        public static final long RESTORE = -2;

        public boolean alive() {
            return at >= 0;
        }
    }
}
