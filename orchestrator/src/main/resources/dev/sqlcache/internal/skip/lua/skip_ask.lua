-- KEYS[1] = a table's cachers set (members scored by when their registration lapses, server clock). Returns how
-- many registrations are live: a skip permit is asked for only when none is. Needs server_clock.lua.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now())
return redis.call('ZCARD', KEYS[1])
