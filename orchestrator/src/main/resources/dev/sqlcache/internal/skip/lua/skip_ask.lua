-- KEYS[1] = a table's cachers set (members scored by when their registration lapses, server clock). Returns how
-- many registrations are live: a skip permit is asked for only when none is; -1 when this Redis may evict the
-- permit's lease (see evictable.lua): then none is asked for. Needs server_clock.lua and evictable.lua.
if evictable() then
  return -1
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now())
return redis.call('ZCARD', KEYS[1])
