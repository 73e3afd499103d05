-- KEYS = version keys then their holders sets; ARGV[1..n] = the leases being ended ('' for a bump: the end of no
-- particular lease), ARGV[n + 1..2n] = fresh tokens, ARGV[2n + 1..3n] = their time to live in ms ('0': none),
-- ARGV[3n + 1] = the near-cache notice header, ARGV[3n + 2] = '1' when the writer waited for every near cache to
-- acknowledge its lease's notice before it ran (else absent), then ARGV[3n + 3..4n + 2], optional: per key, the held
-- run its lease answered (lease.lua). Returns what notify() returns, or {} when no notice was needed. Needs
-- near_helpers.lua.
-- Each key gets its fresh token, which invalidates whatever was cached under it, unless another write's lease is
-- still alive: then it stays a lease, and that write's end will make it fresh after its own commit.
-- The fresh token is written first (SET ... GET) and what the key held decides the rest: all within this script,
-- so no other client ever sees the key between the two.
-- After this write's fresh token replaced 'current', a lease value: if the set names this write, it leaves the set
-- and the key settles from what is left; else another write's lease is in the key: it stays, and that write's end
-- makes the key fresh after its commit. A bare token in the key while the set names this write is another write's
-- lease too (the key was lost, evicted, deleted or restored from a snapshot, while the set survived, and that write
-- leased the missing key alone): it becomes a holder before the key settles, as keepLeased makes it, or settling from
-- the set alone would make the key fresh (or keep it only until the set's other holders lapse) while that write is
-- still in flight (docs/consistency.md, "Writes that overlap on a key").
-- Returns the script's reading of the server ms (at), if any: a held mark whose set names this write, the common
-- shared end, settles without one (settle).
local function ended(key, holders, token, replacement, ttl, current, at)
  if token ~= '' and redis.call('ZREM', holders, token) == 1 then
    if not isHeld(current) then
      at = at or now()
      holdBare(holders, current, at)
      local last = redis.call('ZRANGE', holders, -1, -1, 'WITHSCORES')
      redis.call('PEXPIRE', holders, tonumber(last[2]) - at)
    end
    -- A held mark's run is read from it; a bare token's new run needs the clock, read just above.
    return settle(key, holders, replacement, ttl, at, continuedRun(current))
  end
  at = at or now()
  keepLeased(key, holders, current, at)
  return at
end

-- Whether the key, holding the held mark 'current' now, has held a lease without a break since this write's lease
-- ('token', which answered 'run'): it still names the run the lease joined or began, or a run begun over this
-- write's own bare token (placed once: the end's caller vouches for one answered attempt). See lease_helpers.lua.
local function heldSince(current, token, run)
  local named = runOf(current)
  return named ~= nil and (named == run or string.match(named, '^%d+/(.*)$') == token)
end

local at
-- The end of a write whose lease found the key shared (it answered the held run 'run'), read before it is written
-- (issue #13): when the key still holds a mark of that run and the set names this write, the write leaves the set,
-- and the key settles from what is left without the overwrite and put-back of the path below. When the set's highest
-- score left is the mark's own lapse, the key is already what settle would write, but for the token the mark names
-- (which no script compares): the key expires at that lapse (invariant H: no holder the set names lapses after the
-- key; a script that extends the key writes the mark's lapse with it, and one that shortens it, settle or
-- keepLeased, shortens it to the set's highest score then), so it is left as it is. Returns whether it ended the
-- key; else it wrote nothing (a ZREM that answered 0 removed nothing), and the path below runs as it always did.
local function endedInRun(key, holders, token, replacement, ttl, current, run)
  if not (isHeld(current) and heldSince(current, token, run)) or redis.call('ZREM', holders, token) == 0 then
    return false
  end
  local last = redis.call('ZRANGE', holders, -1, -1, 'WITHSCORES')
  local lapse = tonumber(string.match(current, '^lease:held:@(%d+):') or '')
  if #last == 0 or tonumber(last[2]) ~= lapse then
    -- As the path below settles a held mark: in the run the mark names.
    at = settle(key, holders, replacement, ttl, at, runOf(current), last)
  end
  return true
end

local n = #KEYS / 2
-- Whether every key still held this write's own lease, alone or in the held run it joined: see the end of this script.
local intact = ARGV[3 * n + 2] == '1'
for i = 1, n do
  local key, holders, token = KEYS[i], KEYS[n + i], ARGV[i]
  local replacement, ttl = ARGV[n + i], ARGV[2 * n + i]
  if isSequence(key) then
    at = advance(key, at, replacement)
  else
    local run = ARGV[3 * n + 2 + i] or ''
    local current = token ~= '' and run ~= '' and redis.call('GET', key)
    local left = current and endedInRun(key, holders, token, replacement, ttl, current, run)
    if not left then
      current = fresh(key, replacement, ttl)
    end
    intact = intact and token ~= '' and (current == token or isHeld(current) and heldSince(current, token, run))
    if left then
      -- Ended in its run, above.
    elseif token ~= '' and current == token then
      -- This write's own lease, alone: a key two writes leased holds a held mark instead (see lease.lua), so no
      -- holders set names this token, and the common case, one writer, never touches one. Fresh, as written.
    elseif isLease(current) then
      -- A lease is in the key (this write's among holders, or another write's): settled from the set, or put back.
      at = onHolders(key, current, at, ended, key, holders, token, replacement, ttl, current, at)
    elseif token ~= '' and redis.call('ZREM', holders, token) == 1 then
      at = at or now()
      settle(key, holders, replacement, ttl, at, newRun(replacement))
    end
    -- Else no lease at all (this one expired or was flushed): fresh, as written.
  end
end
if intact then
  -- Each key held a lease from this write's lease script until now: its own (a lease token is random and only this
  -- write places it; a key that lapsed, was lost or was shared holds something else by now), or a held run it was
  -- in since then. So no reader found a token under which it could store or copy since then, and every near copy
  -- from before was dropped and acknowledged before the write ran. Nothing to tell: no member set to read, no
  -- notice, no wait (docs/consistency.md, "An end with nothing to tell").
  return {}
end
return notify(ARGV[3 * n + 1], 1, n, at)
