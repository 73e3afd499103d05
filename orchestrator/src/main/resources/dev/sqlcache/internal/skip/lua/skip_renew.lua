-- Renews a skip permit: the lease its grant placed (through the ordinary lease script) on a table's version keys.
-- KEYS[1] = the table's cachers set, KEYS[2..n+1] = the leased version keys, KEYS[n+2..2n+1] = their holders sets;
-- ARGV[1] = the permit's lease token, ARGV[2] = how long it must live from now, in ms.
-- Returns {intact, live cachers}. Intact: every key still holds this lease (alone, or as a live holder of a held run
-- begun over it: skip_intact.lua); then each is extended, never shortened. A lease that is gone (expired, flushed, ended) is never
-- put back: what was cached meanwhile may have been read while a skipping write ran. Needs server_clock.lua,
-- evictable.lua and skip_intact.lua.
local n = (#KEYS - 1) / 2
local token, ttl = ARGV[1], tonumber(ARGV[2])
-- Never past the length the token carries ('@<ms>'): a script that overwrites the key bounds the lease's life by it.
local length = tonumber(string.match(token, '@(%d+)$') or '')
if length and length < ttl then
  ttl = length
end
local at = now()
local intact = permitIntact(2, n, token, at) and 1 or 0
if intact == 1 then
  for i = 2, n + 1 do
    local key, holders = KEYS[i], KEYS[n + i]
    redis.call('ZADD', holders, 'XX', at + ttl, token)
    local left = redis.call('PTTL', holders)
    if left >= 0 and left < ttl then
      redis.call('PEXPIRE', holders, ttl)
    end
    if redis.call('PTTL', key) < ttl then
      -- A held mark carries the key's lapse (lease_helpers.lua): extended with it.
      local rest = string.match(redis.call('GET', key) or '', '^lease:held:@%d+:(.*)$')
      if rest then
        redis.call('SET', key, 'lease:held:@' .. string.format('%d', at + ttl) .. ':' .. rest, 'PX', ttl)
      else
        redis.call('PEXPIRE', key, ttl)
      end
    end
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', at)
-- A Redis that may now evict the lease (its maxmemory policy changed) counts as a cacher: the permit is given up.
return {intact, redis.call('ZCARD', KEYS[1]) + (evictable() and 1 or 0)}
