-- Shared by the scripts that change version tokens. Near caches (in-process copies of entries, see NearCache)
-- register in the sorted set NEAR_MEMBERS, scored by the server-clock time their near lease lapses. Whatever changes
-- a token tells them on NEAR_CHANNEL, in the same script, so that a member which later receives its own renewal's
-- marker (published after this notice) has dropped what the change made stale. Needs server_clock.lua.
local NEAR_MEMBERS = 'sql:_near:members'
local NEAR_CHANNEL = 'sql:_near:notices'
-- Write sequences, which notices leave out (the prefix of CacheStore.SEQUENCE_PREFIX).
local NEAR_SEQUENCE = 'sql:_database:seq:'
-- Two marks writers keep in NEAR_MEMBERS while no near cache renews (member ids are hex, never '~'); every renewal
-- removes both, in the script that adds its member (near_renew.lua). PENDING, scored by the server ms a writer first
-- found the set missing: no renewal has run since. QUIET: no renewal has run since a PENDING that was older than
-- QUIET_AFTER, so no near lease can be live, and a change needs to tell nobody (docs/consistency.md, "A set that
-- stays empty").
local NEAR_PENDING = '~pending'
local NEAR_QUIET = '~quiet'
-- Two near leases (NearMember.LEASE_MILLIS, 1 s): a lease granted before the PENDING mark lapsed by then, margins
-- for the holders' clocks included (a holder stops serving a margin before its lease, counted from its renewal's send).
local NEAR_QUIET_AFTER = 2000

-- Publishes "N\n<header>\n<key>\n<key>..." (header: "<writer>\n<notice id>") for KEYS[first..last], write
-- sequences left out, when a near cache other than the writer's holds a live lease. Returns {server ms, member,
-- lapse, ...} of the live ones (they must acknowledge or lapse before the change counts as seen), or {} when there
-- are none. A holder whose lease has lapsed hears nothing, which is why it drops every copy when it renews.
-- A missing set (FLUSHALL, an eviction) may hide holders still inside their lease: then the notice goes out anyway,
-- and the answer is {-1}: nobody knows who must acknowledge (the writer waits out a whole lease if it knows of any).
-- The key "*" in a notice means every key (also sent for a key holding a newline, the separator).
local function publish(header, first, last)
  local parts = {'N', header}
  for i = first, last do
    if string.find(KEYS[i], '\n', 1, true) then
      -- A quoted table name may hold a newline, which would split the key in two on the holders' side: they
      -- would drop the fragments, not the key, and acknowledge. Such a change drops every copy instead.
      parts = {'N', header, '*'}
      break
    end
    if string.sub(KEYS[i], 1, #NEAR_SEQUENCE) ~= NEAR_SEQUENCE then
      parts[#parts + 1] = KEYS[i]
    end
  end
  -- A user without the channel's permission must not make writes fail where nobody listens.
  local published = redis.pcall('PUBLISH', NEAR_CHANNEL, table.concat(parts, '\n'))
  return type(published) == 'number'
end

-- at: the server ms the calling script already read, if any (one TIME per script).
local function notify(header, first, last, at)
  -- The whole set in one command: it holds the JVMs that keep a near cache, each dropped a minute after its lease
  -- lapsed, so a few entries; an empty answer is a missing set.
  local members = redis.call('ZRANGE', NEAR_MEMBERS, 0, -1, 'WITHSCORES')
  if #members == 2 and members[1] == NEAR_QUIET then
    -- No renewal since the set was found missing, two leases ago or more: no holder's lease is live, and any that
    -- renews finds its own lease lapsed and drops every copy. Nobody to tell, nobody to wait for: {-3}, which a
    -- writer behind Sentinel distrusts right after a change of primary (RedisNearChannel.recipientsOf).
    return {-3}
  end
  if #members == 0 or (#members == 2 and members[1] == NEAR_PENDING) then
    -- A missing set may be a lost one hiding holders still inside their lease: they are told, and the writer
    -- cannot know whom to wait for ({-1}). The marks start (or end) the wait after which nobody can be live.
    publish(header, first, last)
    at = at or nowIfAllowed()
    if not at then
      -- A user without TIME: no marks (they only save later notices), as before them.
      return {-1}
    end
    -- pcall: a full Redis refuses the marks, and must not refuse the notice (the marks only save later notices).
    if #members == 0 then
      redis.pcall('ZADD', NEAR_MEMBERS, at, NEAR_PENDING)
    elseif tonumber(members[2]) + NEAR_QUIET_AFTER <= at then
      if type(redis.pcall('ZADD', NEAR_MEMBERS, 0, NEAR_QUIET)) == 'number' then
        redis.call('ZREM', NEAR_MEMBERS, NEAR_PENDING)
      end
    end
    return {-1}
  end
  local writer = string.match(header, '^([^\n]*)')
  local named = false
  for i = 1, #members, 2 do
    -- A mark beside members (an older version's renewal does not remove it) names nobody.
    if string.sub(members[i], 1, 1) ~= '~' and members[i] ~= writer then
      named = true
      break
    end
  end
  if not named then
    -- The set names nobody but the writer (a JVM alone with its near cache): nobody to tell or wait for, whatever
    -- the lapses are, so the server's clock is not read for them.
    return {}
  end
  at = at or now()
  local live = {}
  local others = false
  for i = 1, #members, 2 do
    if string.sub(members[i], 1, 1) ~= '~' then
      local other = members[i] ~= writer
      if tonumber(members[i + 1]) > at then
        live[#live + 1] = members[i]
        live[#live + 1] = members[i + 1]
        others = others or other
      end
    end
  end
  if not others then
    -- Nobody else to wait for. A holder that only looks lapsed (the server's clock stepped forward) is still told,
    -- if the set names it: it drops the keys as soon as the notice arrives, not only at its next renewal.
    publish(header, first, last)
    return {}
  end
  if not publish(header, first, last) then
    -- Holders that cannot be told must not go on: dropping the set makes each drop every copy at its next
    -- renewal, and {-2} makes the writer wait out their leases meanwhile.
    redis.call('DEL', NEAR_MEMBERS)
    return {-2}
  end
  local reply = {at}
  for i = 1, #live do
    reply[#reply + 1] = live[i]
  end
  return reply
end
