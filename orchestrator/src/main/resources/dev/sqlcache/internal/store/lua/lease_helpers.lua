-- Shared by the lease scripts. A version key KEYS[i] holds a lease value (prefix 'lease:') while a write that may
-- change what it guards is in flight. One write alone keeps its own lease token in the key (two commands to
-- lease, two to end: GET and SET each). When a second write leases a key that already holds a lease, both become
-- holders in the sorted set KEYS[n + i] (lease tokens scored by expiry, server clock), and the key holds
-- 'lease:held:...' (the latest lease's token, later an ended holder's fresh one) until the last holder ends: so
-- one write ending never uncovers another still in flight, and a key holding a write's own token tells its end
-- that no holders set names it. Needs server_clock.lua.

local HELD = 'lease:held:'
-- A database's write sequence (see CacheStore.SEQUENCE_PREFIX), '<epoch>:<n>': never a lease, its n grows by one at
-- every lease and every end. A lost key comes back under a new epoch (the caller's unique token), so two values of
-- one epoch are always ordered as the writes that made them.
local SEQUENCE = 'sql:_database:seq:'

local function isSequence(key)
  return string.sub(key, 1, #SEQUENCE) == SEQUENCE
end

local function advance(key, epoch)
  local current = redis.call('GET', key)
  local base, n
  if current then
    base, n = string.match(current, '^(.*):(%d+)$')
  end
  if base then
    redis.call('SET', key, base .. ':' .. string.format('%d', tonumber(n) + 1))
  else
    redis.call('SET', key, epoch .. ':1')
  end
end

local function isLease(value)
  return value and string.sub(value, 1, 6) == 'lease:'
end

local function isHeld(value)
  return value and string.sub(value, 1, #HELD) == HELD
end

-- Sets the key's plain token: fresh, with a time to live in ms ('0': none).
local function fresh(key, token, ttl)
  if ttl == '0' then
    redis.call('SET', key, token)
  else
    redis.call('SET', key, token, 'PX', ttl)
  end
end

-- After a holder ended: the key stays a lease until the last live holder's expiry, or becomes fresh.
local function settle(key, holders, token, ttl, at)
  local last = redis.call('ZRANGE', holders, -1, -1, 'WITHSCORES')
  if #last == 0 or tonumber(last[2]) <= at then
    redis.call('DEL', holders)
    fresh(key, token, ttl)
  else
    redis.call('SET', key, HELD .. token, 'PX', tonumber(last[2]) - at)
  end
end
