-- Shared by the lease scripts. A version key KEYS[i] holds a lease value (prefix 'lease:') while a write that may
-- change what it guards is in flight. One write alone keeps its own lease token in the key (one command to lease,
-- one to end: SET ... GET, which writes the new value and returns the old one). When a second write leases a key
-- that already holds a lease, both become holders in the sorted set KEYS[n + i] (lease tokens scored by expiry,
-- server clock), and the key holds a held mark 'lease:held:@<lapse>:<token>' (the key's own expiry, server ms,
-- then the latest lease's token, later an ended holder's fresh one) until the last holder ends: so one write ending
-- never uncovers another still in flight, and a key holding a write's own token tells its end that no holders set
-- names it. Since SET ... GET overwrites before anything is known of the old value, a lease value taken out of a
-- key must say how long it could still have lived: a bare lease token ends in '@<ms>', its length, which it never
-- outlives (lease.lua caps its PX there), and a held mark carries its lapse; a lease value without them (an older
-- version's, or anything odd: Redis's content is not trusted) is taken to live as long as any lease can. See
-- docs/consistency.md, "Overwriting first". A held mark also names its *run*, '#<server us>/<origin>' at its end:
-- the stretch during which the key has held a lease without a break, named by the script that began it (its clock
-- reading, and the bare lease token it turned into a held mark, if any). A script carries a run into the value it
-- writes only from the value it has just read from the same key, so a key that holds a run it held earlier has held
-- a lease ever since (docs/consistency.md, "A shared key's end with nothing to tell"). Needs server_clock.lua.

local HELD = 'lease:held:'
-- The longest lease any JVM places, in ms: sqlcache.writeLease and the skip permits' leases are int milliseconds.
local LONGEST = 2147483647
-- A database's write sequence (see CacheStore.SEQUENCE_PREFIX): never a lease, one step on at every lease and every
-- end. Its value is a number of 19 digits, '<T><n>': T (13 digits) a random start drawn when this history of the key
-- began (historyStart), n (6 digits) the steps since; so one INCR advances it. A lost key comes back under another
-- random T, so two values of one epoch (one T) are, but for a 1-in-8*10^12 chance, ordered as the writes that made
-- them (SnapshotPoint; docs/consistency.md, "The write sequence as a number"). Anything else in the key (missing, an
-- older version's '<epoch>:<n>', a number too small to have a T) starts a new history.
local SEQUENCE = 'sql:_database:seq:'

local function isSequence(key)
  return string.sub(key, 1, #SEQUENCE) == SEQUENCE
end

-- Returns the script's reading of the server ms so far (at), if any.
local function advance(key, at, hex)
  local n = redis.pcall('INCR', key)
  if type(n) == 'table' then
    local e = n.err or ''
    if not (string.find(e, 'not an integer', 1, true) or string.find(e, 'overflow', 1, true)) then
      -- Not about the value (NOPERM for an ACL without INCR, OOM, WRONGTYPE): fail as the script always did, so
      -- that a misconfiguration is reported, not hidden behind a new history at every write.
      redis.call('INCR', key)
    end
    n = 0
  end
  if n < 1e18 then
    local start
    start, at = historyStart(at, hex)
    redis.call('SET', key, start .. '000001')
  end
  return at
end

local function isLease(value)
  return value and string.sub(value, 1, 6) == 'lease:'
end

local function isHeld(value)
  return value and string.sub(value, 1, #HELD) == HELD
end

-- SET key value [PX ms] GET: returns what the key held (false when missing). Redis before 6.2 refuses the GET
-- option as a syntax error, before writing anything: then the same in two commands, GET and SET.
local function swap(key, value, px)
  local args = px and {'SET', key, value, 'PX', px, 'GET'} or {'SET', key, value, 'GET'}
  local old = redis.pcall(unpack(args))
  if type(old) == 'table' and old.err then
    old = redis.call('GET', key)
    table.remove(args)
    redis.call(unpack(args))
  end
  return old
end

-- Sets the key's plain token: fresh, with a time to live in ms ('0': none). Returns what the key held.
local function fresh(key, token, ttl)
  if ttl == '0' then
    return swap(key, token, nil)
  end
  return swap(key, token, ttl)
end

-- How long a bare lease token may still live, at most, in ms: its '@<ms>' suffix, else any lease's longest.
local function longestLeft(value)
  local ms = tonumber(string.match(value, '^lease:[^@]*@(%d+)$') or '')
  if ms and ms >= 1 and ms <= LONGEST then
    return ms
  end
  return LONGEST
end

-- Makes 'current', another write's bare lease just taken out of the key, a holder scored by the longest it could
-- still live from now (invariant L). A score the set already has for it is raised, never kept when lower: the same
-- token placed again after the key was lost (a transaction's leaseAgain half a lease on, a retried attempt) lives its
-- length from that placement, past the score its first placement left (review rL, LostLeaseHoldersTest). GT needs
-- Redis 6.2; before it, the same in two commands.
local function holdBare(holders, current, at)
  local score = at + longestLeft(current)
  local added = redis.pcall('ZADD', holders, 'GT', score, current)
  if type(added) == 'table' and added.err then
    local old = tonumber(redis.call('ZSCORE', holders, current) or '')
    if not old or old < score then
      redis.call('ZADD', holders, score, current)
    end
  end
end

-- A held mark for a key kept until lapse (server ms), in the held run 'run' (nil: none, as an older version's mark).
local function heldMark(lapse, token, run)
  local mark = HELD .. '@' .. string.format('%d', lapse) .. ':' .. token
  if run then
    return mark .. '#' .. run
  end
  return mark
end

-- The run a held mark names, or nil (an older version's mark, or one that names none).
local function runOf(value)
  return string.match(value, '#(%d+/[^#]*)$')
end

-- A run begun by this script, over 'origin': the bare lease token it turns into a held mark (else any token of this
-- script's own). Never named again: a later script that begins one reads a later microsecond, or, on a clock set back
-- to the very microsecond, starts from another value (a token is placed bare only by its write's attempts). Needs
-- the clock read first (every caller has 'at').
local function newRun(origin)
  return clockMicros .. '/' .. origin
end

-- The run a held mark written over 'current' continues: the run current names when it is a held mark (nil for one
-- without), a new one over a bare lease.
local function continuedRun(current)
  if isHeld(current) then
    return runOf(current)
  end
  return newRun(current)
end

-- The lapse a held mark carries (server ms), or nil when it carries none that any lease could reach from at.
local function markedLapse(value, at)
  local lapse = tonumber(string.match(value, '^lease:held:@(%d+):') or '')
  if lapse and lapse <= at + LONGEST then
    return lapse
  end
  return nil
end

-- When a held mark's key lapses at the latest (server ms): the lapse it carries, else any lease's longest from at.
local function heldLapse(value, at)
  return markedLapse(value, at) or at + LONGEST
end

-- After a holder ended: the key stays a lease until the last live holder's expiry, in held run 'run', or becomes
-- fresh. Returns the script's reading of the server ms (at), if any.
-- Without a reading (at nil: the common shared end, issue #13), the key is held until the last holder's score itself,
-- PXAT on the server's clock, which needs no TIME: the same lapse as PX score - now. When that score has passed,
-- Redis deletes the key instead of setting it, and a deleted token is as good as a fresh one (readers must create
-- it again, and no entry recorded it); the set's lapsed entries then stay until the set's own expiry, covering
-- nobody. Redis before 6.2 refuses PXAT before writing anything: the clock is read and the key settled as before.
-- 'last': the set's highest entry, when the caller has just read it (else read here).
local function settle(key, holders, token, ttl, at, run, last)
  last = last or redis.call('ZRANGE', holders, -1, -1, 'WITHSCORES')
  if #last == 0 then
    -- No member: Redis has deleted the set already (an empty sorted set does not exist).
    fresh(key, token, ttl)
    return at
  end
  local lapse = tonumber(last[2])
  if not at then
    local set = redis.pcall('SET', key, heldMark(lapse, token, run), 'PXAT', string.format('%d', lapse))
    if not (type(set) == 'table' and set.err) then
      return at
    end
    at = now()
  end
  if lapse <= at then
    redis.call('DEL', holders)
    fresh(key, token, ttl)
  else
    redis.call('SET', key, heldMark(lapse, token, run), 'PX', lapse - at)
  end
  return at
end

-- The key held the lease value 'current' of other writes, and this script has just overwritten it: put the lease
-- back, for no longer than it could have lived. A held mark goes back as it was, until its holders' last lapse
-- (the key's own expiry: every script that sets a held mark gives it the set's latest score), or the lapse it
-- carries when the set is lost. A bare token of another write becomes a holder, scored by the longest it could
-- have lived, under a held mark: its own end then finds it in the set, and a later change of the key is bounded
-- by that score instead of extending it again.
local function keepLeased(key, holders, current, at)
  if isHeld(current) then
    local last = redis.call('ZRANGE', holders, -1, -1, 'WITHSCORES')
    local lapse = #last > 0 and tonumber(last[2]) or heldLapse(current, at)
    if lapse > at then
      redis.call('SET', key, current, 'PX', lapse - at)
    end
    -- Else it would have expired by now: the fresh token stands, as for a key that expired.
  else
    holdBare(holders, current, at)
    local last = redis.call('ZRANGE', holders, -1, -1, 'WITHSCORES')
    local keep = tonumber(last[2]) - at
    if keep > 0 then
      redis.call('SET', key, heldMark(tonumber(last[2]), current, newRun(current)), 'PX', keep)
      redis.call('PEXPIRE', holders, keep)
    end
  end
end

-- Runs f(...), which works on the holders set of a key this script has just overwritten while it held 'current',
-- the lease value of other writes ('at': the script's reading of the server ms, or nil when it has none yet). Should a command fail there (another type under the set's key: Redis's content
-- is not trusted), the lease goes back into the key, for as long as it could have lived, before the script fails:
-- the scripts before "Overwriting first" failed before they wrote the key, and a failure must still never leave
-- another write's lease replaced by a fresh token or by this write's own (docs/consistency.md).
local function onHolders(key, current, at, f, ...)
  local ok, err = pcall(f, ...)
  if ok then
    return err -- what f returned
  else
    at = at or now()
    local lapse = isHeld(current) and heldLapse(current, at) or at + longestLeft(current)
    if lapse > at then
      redis.call('SET', key, current, 'PX', string.format('%d', lapse - at))
    end
    error(err)
  end
end
