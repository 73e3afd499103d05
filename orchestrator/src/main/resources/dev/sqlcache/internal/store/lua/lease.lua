-- KEYS = version keys then their holders sets; ARGV[1..n] = lease tokens, ARGV[n + 1] = lease in milliseconds,
-- ARGV[n + 2] = the near-cache notice header. Returns {what notify() returns, runs}: per key, the held run it is in
-- now ('' when it holds this write's own token alone, and for a held mark that names none), which the write's end
-- compares with the key's (end_leases.lua). Needs near_helpers.lua.
-- The key held 'current', another write's lease, and now holds this write's 'token': both become holders, in the
-- run current names, or a new one begun over a bare lease. Returns the run.
local function share(key, holders, token, current, life, at)
  local run = continuedRun(current)
  -- The set's latest score is at most the lapse a held mark carries (invariant H, docs/consistency.md: every script
  -- that writes a held mark gives it that score, and the key expires then), so the mark answers what the set would,
  -- or a little later, never sooner; only a bare lease, or a mark without a lapse (an older version's), reads the set.
  local latest = isHeld(current) and markedLapse(current, at)
  if latest then
    local keep = math.max(life, latest - at)
    -- The set's expiry first: PEXPIRE answers 0 for a missing key, which is the one thing EXISTS told (issue #13:
    -- one command fewer per lease that joins a held key). ZADD leaves an existing key's expiry as it is, so the set
    -- ends as it did with the expiry set last.
    if redis.call('PEXPIRE', holders, keep) == 0 then
      -- Held, but its holders set is lost (evicted, deleted): who holds the key is unknown, but none outlives the
      -- key's own expiry, which the mark carries. One entry standing for them until then, or this write's end would
      -- uncover them.
      if latest > at then
        redis.call('ZADD', holders, latest, current)
      end
      redis.call('ZADD', holders, at + life, token)
      redis.call('PEXPIRE', holders, keep)
    else
      redis.call('ZADD', holders, at + life, token)
    end
    -- Marked held, not this write's token: a key that holds a write's own token names no other holder, which is what
    -- lets that write's end skip the holders set (see end_leases.lua).
    redis.call('SET', key, heldMark(at + keep, token, run), 'PX', keep)
    return run or ''
  end
  if isHeld(current) then
    if redis.call('EXISTS', holders) == 0 then
      -- A mark without a lapse whose set is lost: its stand-in lives as long as any lease can.
      redis.call('ZADD', holders, heldLapse(current, at), current)
    end
  else
    holdBare(holders, current, at)
  end
  redis.call('ZADD', holders, at + life, token)
  latest = tonumber(redis.call('ZRANGE', holders, -1, -1, 'WITHSCORES')[2])
  local keep = math.max(life, latest - at)
  redis.call('SET', key, heldMark(at + keep, token, run), 'PX', keep)
  redis.call('PEXPIRE', holders, keep)
  return run or ''
end

local n = #KEYS / 2
local ttl = tonumber(ARGV[n + 1])
local at
local runs = {}
for i = 1, n do
  runs[i] = ''
  local key, holders, token = KEYS[i], KEYS[n + i], ARGV[i]
  if isSequence(key) then
    at = advance(key, at, string.sub(token, 7))
  else
    -- Never longer than the token says: whoever overwrites it later bounds its life by that (lease_helpers.lua).
    local life = math.min(ttl, longestLeft(token))
    local current = swap(key, token, life)
    if isLease(current) and current ~= token then
      -- Another write is in flight: both become holders (the other one with the longest it could have left).
      at = at or now()
      runs[i] = onHolders(key, current, at, share, key, holders, token, current, life, at)
    end
    -- Else the key held a plain token (or nothing, or this very lease, placed again): the lease alone, as set.
  end
end
return {notify(ARGV[n + 2], 1, n, at), runs}
