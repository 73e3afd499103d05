-- KEYS[1] = the near members. Returns those whose near lease has not lapsed. Needs server_clock.lua.
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now(), '+inf')
