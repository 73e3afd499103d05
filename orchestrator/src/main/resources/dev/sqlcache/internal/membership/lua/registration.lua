-- KEYS[1] = registrations; ARGV[1] = member. Its registration, or nil.
return redis.call('HGET', KEYS[1], ARGV[1])
