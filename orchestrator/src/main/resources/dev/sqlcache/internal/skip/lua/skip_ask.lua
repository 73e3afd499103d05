-- KEYS[1] = a table's cachers set (members scored by when their registration lapses, server clock), KEYS[2..] = the
-- table's version keys a permit would lease. Returns how many registrations are live: a skip permit is asked for
-- only when none is; -1 when this Redis may evict the permit's lease (see evictable.lua): then none is asked for;
-- -2 when one of the keys holds a lease already (another write's, or another JVM's permit): a permit granted into it
-- would join that lease's held run, which skip_intact.lua never counts as the permit's, so asking would only cost a
-- lease, its notices and its end, every round (review rK). Needs server_clock.lua and evictable.lua.
if evictable() then
  return -1
end
for i = 2, #KEYS do
  local current = redis.call('GET', KEYS[i])
  if current and string.sub(current, 1, 6) == 'lease:' then
    return -2
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now())
return redis.call('ZCARD', KEYS[1])
