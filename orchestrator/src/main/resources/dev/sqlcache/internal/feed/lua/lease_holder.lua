-- KEYS[1] = a consumer lease. Returns its holder, or false.
return redis.call('GET', KEYS[1])
